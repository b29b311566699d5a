import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { MessageStatus } from '../message-status';
import type { MessageContent, MessageType } from '../message-content';

export interface StatusChange {
  status: MessageStatus;
  at: string;
  reason?: string;
}

/** One message, inbound or outbound. Outbound rows are also the queue. */
@Entity('message')
export class MessageEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Insertion order: FIFO per session. */
  @Column({ type: 'bigint', insert: false, update: false, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  seq: number;

  @Column({ type: 'text', name: 'session_id' })
  sessionId: string;

  @Column({ type: 'text' })
  direction: 'outbound' | 'inbound';

  @Column({ type: 'text', name: 'wa_message_id' })
  waMessageId: string;

  @Column({ type: 'text', name: 'chat_jid' })
  chatJid: string;

  /** The recipient as the caller wrote it. */
  @Column({ type: 'text', name: 'recipient_input', nullable: true })
  recipientInput: string | null;

  @Column({ type: 'text', name: 'sender_jid', nullable: true })
  senderJid: string | null;

  @Column({ type: 'text' })
  type: MessageType;

  @Column({ type: 'jsonb' })
  content: MessageContent;

  @Column({ type: 'uuid', name: 'media_id', nullable: true })
  mediaId: string | null;

  @Column({ type: 'text' })
  status: MessageStatus;

  @Column({ type: 'jsonb', name: 'status_history' })
  statusHistory: StatusChange[];

  @Column({ type: 'int' })
  attempts: number;

  @Column({ type: 'timestamptz', name: 'next_attempt_at' })
  nextAttemptAt: Date;

  @Column({ type: 'timestamptz', name: 'lease_until', nullable: true })
  leaseUntil: Date | null;

  @Column({ type: 'text', name: 'claimed_by', nullable: true })
  claimedBy: string | null;

  @Column({ type: 'timestamptz', name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'text', name: 'error_code', nullable: true })
  errorCode: string | null;

  @Column({ type: 'text', name: 'error_message', nullable: true })
  errorMessage: string | null;

  @Column({ type: 'text', name: 'idempotency_key', nullable: true })
  idempotencyKey: string | null;

  @Column({ type: 'timestamptz', name: 'sent_at', nullable: true })
  sentAt: Date | null;

  @Column({ type: 'timestamptz', name: 'delivered_at', nullable: true })
  deliveredAt: Date | null;

  @Column({ type: 'timestamptz', name: 'read_at', nullable: true })
  readAt: Date | null;

  @Column({ type: 'timestamptz', name: 'played_at', nullable: true })
  playedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
