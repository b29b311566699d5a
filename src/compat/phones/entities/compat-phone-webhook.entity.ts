import { Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../../../database/columns';

/**
 * Which native webhooks (`webhook.id`) were created through the phones manager API: its
 * webhook routes list and manage only these, and "one per service" is checked among them.
 */
@Entity('compat_phone_webhook')
export class CompatPhoneWebhookEntity {
  @PrimaryColumn({ type: 'uuid', name: 'webhook_id' }) webhookId: string;
  @CreatedAtColumn() createdAt: Date;
}
