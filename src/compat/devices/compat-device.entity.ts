import { Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BooleanColumn, CreatedAtColumn, TextColumn, UpdatedAtColumn } from '../../database/columns';

/**
 * A device of the device-token gateway: a named token standing for one native session. The
 * token is a name (listed by `GET /api/devices`), kept as given; `token_digest` (its SHA-256)
 * is what lookups match, so finding a device takes the same time whatever the token shares
 * with others, and the name is then compared in constant time.
 */
@Entity('compat_device')
export class CompatDeviceEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @TextColumn({ unique: true }) token: string;
  @TextColumn({ name: 'token_digest', unique: true }) tokenDigest: string;
  @TextColumn({ name: 'session_id', unique: true }) sessionId: string;

  /** What `start` last asked for; mirrored into the session's `rejectCalls` / `rejectMessage` settings. */
  @BooleanColumn({ name: 'reject_call', default: false }) rejectCall: boolean;
  @TextColumn({ name: 'reject_message', nullable: true }) rejectMessage: string | null;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
