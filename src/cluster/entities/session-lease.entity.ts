import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TextColumn, TimestampColumn } from '../../database/columns';

/**
 * Which replica runs a session's WhatsApp socket. `token` (the fencing number) grows by one on
 * every acquisition, so a replica that lost the lease can tell its writes are stale.
 */
@Entity('session_lease')
export class SessionLeaseEntity {
  @PrimaryColumn({ type: 'text', name: 'session_id' }) sessionId: string;
  /** The owning node's id; null once released. */
  @Index('session_lease_owner_idx')
  @TextColumn({ nullable: true })
  owner: string | null;
  @TimestampColumn({ name: 'expires_at' }) expiresAt: Date;
  /** bigint, read as a string (a fencing number is compared, never computed with). */
  @Column({ type: 'bigint', default: 0 }) token: string;
  @TimestampColumn({ name: 'acquired_at', nullable: true }) acquiredAt: Date | null;
  @TimestampColumn({ name: 'renewed_at', nullable: true }) renewedAt: Date | null;
  /** A node that asked for the session (an API call needing its socket reached it): the owner hands it over. */
  @TextColumn({ name: 'handover_to', nullable: true }) handoverTo: string | null;
}
