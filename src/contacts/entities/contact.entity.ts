import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type OptIn = 'pending' | 'yes' | 'no';

/** A WhatsApp contact as one session knows it, with its opt-in state (the WA Gateway). */
@Entity('contact')
export class ContactEntity {
  @PrimaryColumn({ type: 'text', name: 'session_id' })
  sessionId: string;

  @PrimaryColumn({ type: 'text' })
  jid: string;

  @Column({ type: 'text', name: 'phone_number', nullable: true })
  phoneNumber: string | null;

  @Column({ type: 'text', nullable: true })
  lid: string | null;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ type: 'text', name: 'push_name', nullable: true })
  pushName: string | null;

  @Column({ type: 'text', name: 'opt_in', nullable: true })
  optIn: OptIn | null;

  @Column({ type: 'timestamptz', name: 'opt_in_at', nullable: true })
  optInAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
