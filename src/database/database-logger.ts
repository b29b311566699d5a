import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { operationOf } from '../common/logging/error-serializer';

const SLOW_QUERY_MS = 2_000;

/**
 * TypeORM's logger. Never logs SQL parameters or row contents: a failed query is logged at
 * debug as its SQLSTATE code and operation (the caller that handles the error logs it too),
 * a slow one at warn as its operation and duration.
 */
export class DatabaseLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    const code = typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
    this.logger.debug({ code, operation: operationOf(query) }, 'Query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ operation: operationOf(query), ms: time }, 'Slow query');
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}

export { SLOW_QUERY_MS };
