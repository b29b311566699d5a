import { Global, Module } from '@nestjs/common';
import { EVENT_OUTBOX } from '../events/event-outbox';
import { WebhooksModule } from './webhooks.module';
import { WebhooksService } from './webhooks.service';

/**
 * Makes `WebhooksService` available everywhere as `EVENT_OUTBOX`, so producers (the inbound
 * pipeline) publish events without importing the webhooks module, and re-exports that module
 * (`WebhookFormats` for formats registered elsewhere). Kept apart from
 * `WebhooksModule` on purpose: Nest runs the lifecycle hooks of global modules last, and the
 * dispatcher must stop (and bus events be recorded) before the database closes.
 */
@Global()
@Module({
  imports: [WebhooksModule],
  providers: [{ provide: EVENT_OUTBOX, useExisting: WebhooksService }],
  exports: [EVENT_OUTBOX, WebhooksModule],
})
export class WebhooksOutboxModule {}
