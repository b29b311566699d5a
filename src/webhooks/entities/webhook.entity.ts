import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
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
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  url: string;

  /** Event types, or `*` for all. */
  @Column({ type: 'text', array: true })
  events: string[];

  /** Null: every session (a global webhook). */
  @Column({ type: 'text', name: 'session_id', nullable: true })
  sessionId: string | null;

  @Column({ type: 'text' })
  format: string;

  /** Format-specific settings (e.g. a Cloud API verify token), validated by the format. */
  @Column({ type: 'jsonb' })
  options: Record<string, unknown>;

  /** Encrypted with the master key (`webhook.secret`); plaintext here. */
  @Column({ type: 'text', transformer: encryptedColumn(WEBHOOK_SECRET_ADDRESS) })
  secret: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ type: 'text' })
  origin: WebhookOrigin;

  /**
   * Set when a session- or workspace-bound token created the webhook or last changed its URL:
   * deliveries then reach public addresses only (and WEBHOOK_URL_ALLOWLIST). False when an
   * unbound (admin) credential did, and on rows older than this column.
   */
  @Column({ type: 'boolean' })
  restricted: boolean;

  /** The process delivering this webhook's queue right now (one at a time keeps it in order). */
  @Column({ type: 'text', name: 'lease_owner', nullable: true })
  leaseOwner: string | null;

  @Column({ type: 'timestamptz', name: 'lease_until', nullable: true })
  leaseUntil: Date | null;

  /** Failed attempts since the last success; drives the backoff of the subscription's queue. */
  @Column({ type: 'int', name: 'consecutive_failures' })
  consecutiveFailures: number;

  @Column({ type: 'timestamptz', name: 'last_success_at', nullable: true })
  lastSuccessAt: Date | null;

  @Column({ type: 'timestamptz', name: 'last_failure_at', nullable: true })
  lastFailureAt: Date | null;

  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
