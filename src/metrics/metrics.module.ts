import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MessagesModule } from '../messages/messages.module';
import { SessionsModule } from '../sessions/sessions.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsCollectors } from './metrics-collectors';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * The registry and the methods other modules call (`MetricsService`), available everywhere
 * without an import so that a module `MetricsEndpointModule` reads from can feed it too.
 */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}

/** GET /metrics and the gauges read from other modules' services on scrape. Owns no table. */
@Module({
  imports: [AuthModule, SessionsModule, MessagesModule, WebhooksModule],
  controllers: [MetricsController],
  providers: [MetricsCollectors, MetricsAccessGuard],
})
export class MetricsEndpointModule {}
