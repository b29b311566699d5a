import { Entity, PrimaryColumn } from 'typeorm';
import { TextColumn, UpdatedAtColumn } from '../../database/columns';

/**
 * One row per WhatsApp credential item: `creds` (type `creds`, id `creds`) and every Signal
 * key Baileys stores (pre-keys, sessions, sender keys, app-state keys, LID mappings, …).
 * `value` is an `enc:v2:` AES-256-GCM envelope of the JSON (master key, see src/crypto); rows
 * written by older versions (plain JSON, or `enc:v1:` with AUTH_STATE_KEY) are re-encrypted at boot.
 */
@Entity('wa_auth_key')
export class AuthKeyEntity {
  @PrimaryColumn({ type: 'text', name: 'session_id' }) sessionId: string;
  @PrimaryColumn({ type: 'text' }) type: string;
  @PrimaryColumn({ type: 'text', name: 'key_id' }) keyId: string;
  @TextColumn() value: string;
  @UpdatedAtColumn() updatedAt: Date;
}
