import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AfterCommit } from './after-commit';
import { DeviceWebhookController } from './device-webhook.controller';
import { WebhookDeliveryAttemptEntity } from './entities/webhook-delivery-attempt.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEntity } from './entities/webhook.entity';
import { EventOutboxRepository } from './event-outbox.repository';
import { EventPublisher } from './event-publisher';
import { EventStreamService } from './event-stream.service';
import { EventsController } from './events.controller';
import { WebhookFormats } from './formats/webhook-formats';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookTargets } from './webhook-targets';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/**
 * Webhook subscriptions, durable signed deliveries, the event outbox and the live event
 * stream read from it. Other modules publish events through `EventPublisher` (bound as the
 * global `EVENT_OUTBOX` by `WebhooksOutboxModule`) and add payload formats through
 * `WebhookFormats.register()`.
 */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEntity, WebhookDeliveryEntity, WebhookDeliveryAttemptEntity]), SessionsModule, AuthModule],
  controllers: [WebhooksController, DeviceWebhookController, EventsController],
  providers: [
    WebhooksRepository,
    EventOutboxRepository,
    EventPublisher,
    WebhooksService,
    WebhookDispatcher,
    WebhookTargets,
    WebhookFormats,
    EventStreamService,
    AfterCommit,
  ],
  exports: [WebhooksService, EventPublisher, WebhookFormats, EventStreamService],
})
export class WebhooksModule {}
