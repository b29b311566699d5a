import { Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BooleanColumn, IntColumn, TextColumn, TimestampColumn, UuidColumn } from '../../database/columns';

/** One HTTP attempt of a delivery, kept for the delivery log. */
@Entity('webhook_delivery_attempt')
export class WebhookDeliveryAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @UuidColumn({ name: 'delivery_id' }) deliveryId: string;

  /** 1-based, over the delivery's whole life (redelivered attempts continue the count). */
  @IntColumn() attempt: number;
  @TimestampColumn({ name: 'started_at' }) startedAt: Date;
  @IntColumn({ name: 'duration_ms' }) durationMs: number;

  /** Null when no response arrived (timeout, refused, reset). */
  @IntColumn({ name: 'status_code', nullable: true }) statusCode: number | null;
  @BooleanColumn() success: boolean;
  @TextColumn({ nullable: true }) error: string | null;

  /** The first 1 KB of the response body. */
  @TextColumn({ name: 'response_body', nullable: true }) responseBody: string | null;
}
