import { Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, TextColumn, TimestampColumn, UpdatedAtColumn } from '../../database/columns';

export type OptIn = 'pending' | 'yes' | 'no';

/** A WhatsApp contact as one session knows it, with its opt-in state (the WA Gateway). */
@Entity('contact')
export class ContactEntity {
  @PrimaryColumn({ type: 'text', name: 'session_id' }) sessionId: string;
  @PrimaryColumn({ type: 'text' }) jid: string;
  @TextColumn({ name: 'phone_number', nullable: true }) phoneNumber: string | null;
  @TextColumn({ nullable: true }) lid: string | null;
  @TextColumn({ nullable: true }) name: string | null;
  @TextColumn({ name: 'push_name', nullable: true }) pushName: string | null;
  @TextColumn({ name: 'opt_in', nullable: true }) optIn: OptIn | null;
  @TimestampColumn({ name: 'opt_in_at', nullable: true }) optInAt: Date | null;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
