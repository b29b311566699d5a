import { Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, TextColumn } from '../../../database/columns';

/**
 * The WA Gateway names its sessions (`default`, `support`, …): each name points at one native
 * session. Deleting a gateway session removes its name here; the native session stays as a
 * record (INACTIVE), as every deleted session does.
 */
@Entity('compat_gateway_session')
export class GatewaySessionEntity {
  /** Alphanumeric, dash, underscore, at most 40 characters; unique. */
  @PrimaryColumn({ type: 'text' }) name: string;
  @TextColumn({ name: 'session_id', unique: true }) sessionId: string;
  @CreatedAtColumn() createdAt: Date;
}
