import { Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TextColumn } from '../../database/columns';
import { SessionStatus } from '../session-status';

/** Append-only log of every status a session went through, with the reason. */
@Entity('session_status_change')
@Index(['sessionId', 'id'])
export class SessionStatusChangeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @TextColumn({ name: 'session_id' }) sessionId: string;
  @TextColumn() status: SessionStatus;
  @TextColumn({ nullable: true }) reason: string | null;
  @CreatedAtColumn() createdAt: Date;
}
