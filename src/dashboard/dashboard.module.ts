import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module';
import { SessionsModule } from '../sessions/sessions.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';

/** The dashboard overview: composes read queries that the sessions, messages and webhooks modules export. */
@Module({ imports: [SessionsModule, MessagesModule, WebhooksModule], controllers: [DashboardController], providers: [DashboardService] })
export class DashboardModule {}
