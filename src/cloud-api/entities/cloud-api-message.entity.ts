import { Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, JsonbColumn, TextColumn } from '../../database/columns';

/** An option of a degraded interactive or template message, matched against inbound replies. */
export interface ReplyOption {
  /** 1-based number shown in the text. */
  n: number;
  id: string;
  title: string;
  description?: string;
}

export interface ReplyOptions {
  /** What an inbound reply becomes in Meta's webhook: a button_reply, a list_reply or a template button. */
  kind: 'button' | 'list' | 'template';
  options: ReplyOption[];
}

/** What a facade send must remember beyond the message row (the row itself is the queue's). */
@Entity('cloud_api_message')
export class CloudApiMessageEntity {
  @PrimaryColumn({ type: 'uuid', name: 'message_id' }) messageId: string;
  @TextColumn({ name: 'session_id' }) sessionId: string;
  @TextColumn({ name: 'wa_message_id' }) waMessageId: string;
  @TextColumn({ name: 'chat_jid' }) chatJid: string;

  /** Echoed in every status webhook of the message, as Meta does. */
  @TextColumn({ name: 'biz_opaque_callback_data', nullable: true }) bizOpaqueCallbackData: string | null;
  @JsonbColumn({ name: 'reply_options', nullable: true }) replyOptions: ReplyOptions | null;
  @CreatedAtColumn() createdAt: Date;
}
