import { Global, Module } from '@nestjs/common';
import { EVENT_OUTBOX } from '../events/event-outbox';
import { WebhooksModule } from './webhooks.module';
import { EventPublisher } from './event-publisher';

/**
 * Makes `EventPublisher` available everywhere as `EVENT_OUTBOX`, so producers (sessions,
 * messages, contacts) publish events without importing the webhooks module, and re-exports that module
 * (`WebhookFormats` for formats registered elsewhere). Kept apart from
 * `WebhooksModule` on purpose: Nest runs the lifecycle hooks of global modules last, and the
 * dispatcher must stop before the database closes.
 */
@Global()
@Module({
  imports: [WebhooksModule],
  providers: [{ provide: EVENT_OUTBOX, useExisting: EventPublisher }],
  exports: [EVENT_OUTBOX, WebhooksModule],
})
export class WebhooksOutboxModule {}
