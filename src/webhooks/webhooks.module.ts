import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from '../sessions/sessions.module';
import { AfterCommit } from './after-commit';
import { DeviceWebhookController } from './device-webhook.controller';
import { WebhookDeliveryAttemptEntity } from './entities/webhook-delivery-attempt.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEntity } from './entities/webhook.entity';
import { EventStreamService } from './event-stream.service';
import { EventsController } from './events.controller';
import { WebhookFormats } from './formats/webhook-formats';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookTargets } from './webhook-targets';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/**
 * Webhook subscriptions, durable signed deliveries and the live event stream. Other modules
 * publish events through `WebhooksService.publish()` (also bound as the global `EVENT_OUTBOX`
 * by `WebhooksOutboxModule`) and add payload formats through `WebhookFormats.register()`.
 */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEntity, WebhookDeliveryEntity, WebhookDeliveryAttemptEntity]), SessionsModule],
  controllers: [WebhooksController, DeviceWebhookController, EventsController],
  providers: [
    WebhooksRepository,
    WebhooksService,
    WebhookDispatcher,
    WebhookTargets,
    WebhookFormats,
    EventStreamService,
    AfterCommit,
  ],
  exports: [WebhooksService, WebhookFormats, EventStreamService],
})
export class WebhooksModule {}
