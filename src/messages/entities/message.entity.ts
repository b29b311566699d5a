import { Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BigintNumberColumn, CreatedAtColumn, IntColumn, JsonbColumn, TextColumn, TimestampColumn, UpdatedAtColumn, UuidColumn } from '../../database/columns';
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
  @PrimaryGeneratedColumn('uuid') id: string;

  /** Insertion order: FIFO per session. */
  @BigintNumberColumn({ insert: false, update: false }) seq: number;

  /**
   * The message's public number (an identity column): stable, unique, positive. The WA Gateway's
   * `message_id`; `GET /api/messages/{number}` accepts it in place of the id.
   */
  @BigintNumberColumn({ insert: false, update: false }) number: number;
  @TextColumn({ name: 'session_id' }) sessionId: string;
  @TextColumn() direction: 'outbound' | 'inbound';
  @TextColumn({ name: 'wa_message_id' }) waMessageId: string;
  @TextColumn({ name: 'chat_jid' }) chatJid: string;

  /** The recipient as the caller wrote it. */
  @TextColumn({ name: 'recipient_input', nullable: true }) recipientInput: string | null;
  @TextColumn({ name: 'sender_jid', nullable: true }) senderJid: string | null;
  @TextColumn() type: MessageType;
  @JsonbColumn() content: MessageContent;
  @UuidColumn({ name: 'media_id', nullable: true }) mediaId: string | null;
  @TextColumn() status: MessageStatus;

  /**
   * Why a QUEUED message is held back (the queue does not claim it): `NOT_OPTED_IN` while its
   * recipient has not answered the opt-in prompt, in sessions with `optInMode: 'hold'`.
   */
  @TextColumn({ name: 'held_reason', nullable: true }) heldReason: string | null;
  @JsonbColumn({ name: 'status_history' }) statusHistory: StatusChange[];
  @IntColumn() attempts: number;
  @TimestampColumn({ name: 'next_attempt_at' }) nextAttemptAt: Date;
  @TimestampColumn({ name: 'lease_until', nullable: true }) leaseUntil: Date | null;
  @TextColumn({ name: 'claimed_by', nullable: true }) claimedBy: string | null;
  @TimestampColumn({ name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @TextColumn({ name: 'error_code', nullable: true }) errorCode: string | null;
  @TextColumn({ name: 'error_message', nullable: true }) errorMessage: string | null;
  @TextColumn({ name: 'idempotency_key', nullable: true }) idempotencyKey: string | null;
  @TimestampColumn({ name: 'sent_at', nullable: true }) sentAt: Date | null;
  @TimestampColumn({ name: 'delivered_at', nullable: true }) deliveredAt: Date | null;
  @TimestampColumn({ name: 'read_at', nullable: true }) readAt: Date | null;
  @TimestampColumn({ name: 'played_at', nullable: true }) playedAt: Date | null;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
