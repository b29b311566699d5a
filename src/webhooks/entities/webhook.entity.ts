import { Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BooleanColumn, CreatedAtColumn, IntColumn, JsonbColumn, TextColumn, TimestampColumn, UpdatedAtColumn } from '../../database/columns';
import { encryptedColumn } from '../../crypto/encrypted-column';

/** The authenticated address of every webhook secret (a transformer has no row identity). */
export const WEBHOOK_SECRET_ADDRESS = 'webhook.secret';

/** `api`: managed through /api/webhooks. `device`: the one per-session webhook of the device-token gateway's `POST /api/webhook`. */
export type WebhookOrigin = 'api' | 'device';

/**
 * A subscription: where to POST which events, in which format, signed with which secret.
 * The secret is stored encrypted, not hashed: every delivery is signed with it.
 */
@Entity('webhook')
export class WebhookEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @TextColumn() url: string;

  /** Event types, or `*` for all. */
  @TextColumn({ array: true }) events: string[];

  /** Null: every session (a global webhook). */
  @TextColumn({ name: 'session_id', nullable: true }) sessionId: string | null;
  @TextColumn() format: string;

  /** Format-specific settings (e.g. a Cloud API verify token), validated by the format. */
  @JsonbColumn() options: Record<string, unknown>;

  /** Encrypted with the master key (`webhook.secret`); plaintext here. */
  @TextColumn({ transformer: encryptedColumn(WEBHOOK_SECRET_ADDRESS) }) secret: string;
  @TextColumn({ nullable: true }) description: string | null;
  @BooleanColumn() active: boolean;
  @TextColumn() origin: WebhookOrigin;

  /**
   * Set when a session- or workspace-bound token created the webhook or last changed its URL:
   * deliveries then reach public addresses only (and WEBHOOK_URL_ALLOWLIST). False when an
   * unbound (admin) credential did, and on rows older than this column.
   */
  @BooleanColumn() restricted: boolean;

  /** The process delivering this webhook's queue right now (one at a time keeps it in order). */
  @TextColumn({ name: 'lease_owner', nullable: true }) leaseOwner: string | null;
  @TimestampColumn({ name: 'lease_until', nullable: true }) leaseUntil: Date | null;

  /** Failed attempts since the last success; drives the backoff of the subscription's queue. */
  @IntColumn({ name: 'consecutive_failures' }) consecutiveFailures: number;
  @TimestampColumn({ name: 'last_success_at', nullable: true }) lastSuccessAt: Date | null;
  @TimestampColumn({ name: 'last_failure_at', nullable: true }) lastFailureAt: Date | null;
  @TextColumn({ name: 'last_error', nullable: true }) lastError: string | null;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
