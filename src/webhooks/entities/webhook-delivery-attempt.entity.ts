import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One HTTP attempt of a delivery, kept for the delivery log. */
@Entity('webhook_delivery_attempt')
export class WebhookDeliveryAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid', name: 'delivery_id' })
  deliveryId: string;

  /** 1-based, over the delivery's whole life (redelivered attempts continue the count). */
  @Column({ type: 'int' })
  attempt: number;

  @Column({ type: 'timestamptz', name: 'started_at' })
  startedAt: Date;

  @Column({ type: 'int', name: 'duration_ms' })
  durationMs: number;

  /** Null when no response arrived (timeout, refused, reset). */
  @Column({ type: 'int', name: 'status_code', nullable: true })
  statusCode: number | null;

  @Column({ type: 'boolean' })
  success: boolean;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** The first 1 KB of the response body. */
  @Column({ type: 'text', name: 'response_body', nullable: true })
  responseBody: string | null;
}
