import { Entity, PrimaryColumn } from 'typeorm';
import { BooleanColumn, CreatedAtColumn, IntColumn, JsonbColumn, TextColumn, TimestampColumn, UpdatedAtColumn } from '../../database/columns';
import { SessionStatus } from '../session-status';
import type { SessionSettings } from '../session-settings';

@Entity('session')
export class SessionEntity {
  /** `<method>_<epoch ms>_<8 hex>`, e.g. `qr_1782473171252_bb1a0195`. */
  @PrimaryColumn({ type: 'text' }) id: string;
  @TextColumn({ nullable: true }) name: string | null;
  @TextColumn() method: 'qr' | 'phone';

  /** The number a pairing code is requested for (method `phone`). */
  @TextColumn({ name: 'pairing_phone', nullable: true }) pairingPhone: string | null;
  @TextColumn() engine: 'baileys' | 'sandbox';
  @TextColumn() status: SessionStatus;

  /** Whether the session should be connected; sessions with `active` are restored at boot. */
  @BooleanColumn({ default: true }) active: boolean;
  @TextColumn({ name: 'mobile_number', nullable: true }) mobileNumber: string | null;

  /** The account's LID user part: stable per WhatsApp account, unlike the device suffix. */
  @TextColumn({ nullable: true }) mobid: string | null;
  /** The canonical Cloud API phone number id (`phoneNumberIdOf(id)`), set on insert, never changed. */
  @TextColumn({ name: 'phone_number_id' }) phoneNumberId: string;
  @TextColumn({ name: 'me_jid', nullable: true }) meJid: string | null;
  @TextColumn({ name: 'push_name', nullable: true }) pushName: string | null;
  @JsonbColumn({ default: () => "'{}'::jsonb" }) settings: Partial<SessionSettings>;
  @TextColumn({ name: 'last_error', nullable: true }) lastError: string | null;
  @TimestampColumn({ name: 'status_changed_at' }) statusChangedAt: Date;
  @TimestampColumn({ name: 'connected_at', nullable: true }) connectedAt: Date | null;
  @TimestampColumn({ name: 'last_seen_at', nullable: true }) lastSeenAt: Date | null;
  @IntColumn({ name: 'reconnect_attempts', default: 0 }) reconnectAttempts: number;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
