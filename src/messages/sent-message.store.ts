import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SentMessageStore } from '../whatsapp/sent-messages/sent-message.store';

/**
 * The engines' sent messages in the `wa_proto` column of their outbound `message` row, which
 * exists from the moment the message is queued; plain SQL on the unique
 * (session_id, direction, wa_message_id) index.
 */
@Injectable()
export class PgSentMessageStore implements SentMessageStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async save(sessionId: string, waMessageId: string, bytes: Uint8Array): Promise<void> {
    await this.db.query(
      `UPDATE message SET wa_proto = $3 WHERE session_id = $1 AND direction = 'outbound' AND wa_message_id = $2`,
      [sessionId, waMessageId, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
    );
  }

  async load(sessionId: string, waMessageId: string): Promise<Uint8Array | null> {
    const rows: { wa_proto: Buffer }[] = await this.db.query(
      `SELECT wa_proto FROM message
        WHERE session_id = $1 AND direction = 'outbound' AND wa_message_id = $2 AND wa_proto IS NOT NULL`,
      [sessionId, waMessageId],
    );
    return rows[0]?.wa_proto ?? null;
  }
}
