import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { SessionStatus } from '../session-status';
import type { SessionSettings } from '../session-settings';

@Entity('session')
export class SessionEntity {
  /** `<method>_<epoch ms>_<8 hex>`, e.g. `qr_1782473171252_bb1a0195`. */
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ type: 'text' })
  method: 'qr' | 'phone';

  /** The number a pairing code is requested for (method `phone`). */
  @Column({ type: 'text', name: 'pairing_phone', nullable: true })
  pairingPhone: string | null;

  @Column({ type: 'text' })
  engine: 'baileys' | 'sandbox';

  @Column({ type: 'text' })
  status: SessionStatus;

  /** Whether the session should be connected; sessions with `active` are restored at boot. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'text', name: 'mobile_number', nullable: true })
  mobileNumber: string | null;

  /** The account's LID user part: stable per WhatsApp account, unlike the device suffix. */
  @Column({ type: 'text', nullable: true })
  mobid: string | null;

  @Column({ type: 'text', name: 'me_jid', nullable: true })
  meJid: string | null;

  @Column({ type: 'text', name: 'push_name', nullable: true })
  pushName: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  settings: Partial<SessionSettings>;

  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', name: 'status_changed_at' })
  statusChangedAt: Date;

  @Column({ type: 'timestamptz', name: 'connected_at', nullable: true })
  connectedAt: Date | null;

  @Column({ type: 'timestamptz', name: 'last_seen_at', nullable: true })
  lastSeenAt: Date | null;

  @Column({ type: 'int', name: 'reconnect_attempts', default: 0 })
  reconnectAttempts: number;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
