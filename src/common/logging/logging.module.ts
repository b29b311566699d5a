import { Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../config/app-config';
import { AppLogger } from './app-logger';
import { createRootLogger } from './logger.options';

/** The root pino logger, injectable where a component needs pino itself (the request log). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

@Global()
@Module({
  providers: [
    { provide: ROOT_LOGGER, useFactory: (config: AppConfig) => createRootLogger(config), inject: [AppConfig] },
    { provide: AppLogger, useFactory: (root: Logger) => new AppLogger(root), inject: [ROOT_LOGGER] },
  ],
  exports: [ROOT_LOGGER, AppLogger],
})
export class LoggingModule {}
