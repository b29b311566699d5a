import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { SessionStatus } from '../session-status';

/** Append-only log of every status a session went through, with the reason. */
@Entity('session_status_change')
@Index(['sessionId', 'id'])
export class SessionStatusChangeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text', name: 'session_id' })
  sessionId: string;

  @Column({ type: 'text' })
  status: SessionStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
