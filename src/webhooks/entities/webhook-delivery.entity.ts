import { Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BigintNumberColumn, CreatedAtColumn, IntColumn, TextColumn, TimestampColumn, UpdatedAtColumn, UuidColumn } from '../../database/columns';

export enum DeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}

/** One event for one subscription: the exact body to POST, and where its delivery stands. */
@Entity('webhook_delivery')
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid') id: string;

  /** Creation order; each subscription's queue goes out in this order. */
  @BigintNumberColumn({ insert: false, update: false }) seq: number;
  @UuidColumn({ name: 'webhook_id' }) webhookId: string;

  /** `evt_<uuid>`, shared by every subscription's copy of one event. */
  @TextColumn({ name: 'event_id' }) eventId: string;
  @TextColumn({ name: 'event_type' }) eventType: string;
  @TextColumn({ name: 'session_id', nullable: true }) sessionId: string | null;

  /** The chat (or session) the event belongs to: one key's deliveries go out in order, keys in parallel. */
  @TextColumn({ name: 'order_key', default: '' }) orderKey: string;

  /** Fixed at creation: every attempt sends these exact bytes (UTF-8). */
  @TextColumn() body: string;
  @TextColumn() status: DeliveryStatus;

  /** Attempts ever made (the attempt log has one row each). */
  @IntColumn() attempts: number;

  /** `attempts` when the current round began (creation or redeliver); the retry budget counts from here. */
  @IntColumn({ name: 'round_start' }) roundStart: number;

  /** When the current round began; the retry window counts from here. */
  @TimestampColumn({ name: 'queued_at' }) queuedAt: Date;
  @TimestampColumn({ name: 'next_attempt_at' }) nextAttemptAt: Date;
  @TimestampColumn({ name: 'last_attempt_at', nullable: true }) lastAttemptAt: Date | null;
  @IntColumn({ name: 'last_status_code', nullable: true }) lastStatusCode: number | null;
  @TextColumn({ name: 'last_error', nullable: true }) lastError: string | null;
  @TimestampColumn({ name: 'delivered_at', nullable: true }) deliveredAt: Date | null;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
