import { Module } from '@nestjs/common';
import { WebUiController } from './web-ui.controller';

/** The web dashboard (web/, built into dist/web): served at /ui/, with / and /dashboard leading there. */
@Module({ controllers: [WebUiController] })
export class WebUiModule {}
