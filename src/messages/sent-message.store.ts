import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SentMessageStore } from '../whatsapp/sent-messages/sent-message.store';

/** Sent messages waiting for their write; past this the oldest are written at once. */
const PENDING_LIMIT = 5_000;
/** A sent message not written with its SENT mark by then is written on its own. */
const FLUSH_AFTER_MS = 5_000;

/**
 * The engines' sent messages in the `wa_proto` column of their outbound `message` row, which
 * exists from the moment the message is queued; plain SQL on the unique
 * (session_id, direction, wa_message_id) index.
 *
 * Write-behind: `save` keeps the bytes in memory and returns, so a send does not wait for a
 * database round trip. The dispatcher writes them in the same UPDATE that marks the message
 * SENT (`pendingFor`, then `written`), so a SENT row always carries its bytes; until then
 * `load` answers from memory, so a retry receipt arriving right after the send still gets the
 * message. What the dispatcher did not take (its transaction failed) is written on its own
 * after FLUSH_AFTER_MS, and everything pending at shutdown. A crash before the SENT mark loses
 * only bytes of messages that are still SENDING: they are sent again under the same WhatsApp
 * id and saved again.
 */
@Injectable()
export class PgSentMessageStore implements SentMessageStore, BeforeApplicationShutdown {
  private readonly pending = new Map<string, Uint8Array>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async save(sessionId: string, waMessageId: string, bytes: Uint8Array): Promise<void> {
    const key = keyOf(sessionId, waMessageId);
    this.pending.delete(key);
    this.pending.set(key, bytes);
    if (this.pending.size > PENDING_LIMIT) {
      await this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush().catch(() => undefined);
      }, FLUSH_AFTER_MS);
      this.timer.unref();
    }
  }

  async load(sessionId: string, waMessageId: string): Promise<Uint8Array | null> {
    const waiting = this.pending.get(keyOf(sessionId, waMessageId));
    if (waiting) return waiting;
    const rows: { wa_proto: Buffer }[] = await this.db.query(
      `SELECT wa_proto FROM message
        WHERE session_id = $1 AND direction = 'outbound' AND wa_message_id = $2 AND wa_proto IS NOT NULL`,
      [sessionId, waMessageId],
    );
    return rows[0]?.wa_proto ?? null;
  }

  /** The bytes waiting for these messages of a session, by WhatsApp id (those it has). */
  pendingFor(sessionId: string, waMessageIds: string[]): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const id of waMessageIds) {
      const bytes = this.pending.get(keyOf(sessionId, id));
      if (bytes) out.set(id, bytes);
    }
    return out;
  }

  /** The caller committed these bytes (a later save of the same message stays pending). */
  written(sessionId: string, saved: Map<string, Uint8Array>): void {
    for (const [id, bytes] of saved) {
      const key = keyOf(sessionId, id);
      if (this.pending.get(key) === bytes) this.pending.delete(key);
    }
  }

  /** Writes everything pending now, in one statement; a failure drops the bytes (the send happened). */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.writePending());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch(() => undefined);
  }

  private async writePending(): Promise<void> {
    if (!this.pending.size) return;
    const batch = [...this.pending];
    const sessions: string[] = [];
    const ids: string[] = [];
    const hex: string[] = [];
    for (const [key, bytes] of batch) {
      const [sessionId, waMessageId] = splitKey(key);
      sessions.push(sessionId);
      ids.push(waMessageId);
      hex.push(toHex(bytes));
    }
    try {
      await this.db.query(
        `UPDATE message m SET wa_proto = decode(p.hex, 'hex')
           FROM unnest($1::text[], $2::text[], $3::text[]) AS p(sid, wid, hex)
          WHERE m.session_id = p.sid AND m.direction = 'outbound' AND m.wa_message_id = p.wid`,
        [sessions, ids, hex],
      );
    } finally {
      for (const [key, bytes] of batch) if (this.pending.get(key) === bytes) this.pending.delete(key);
    }
  }
}

/** Hex for SQL `decode(…, 'hex')`: travels as text on every driver. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const keyOf = (sessionId: string, waMessageId: string) => `${sessionId}\u0000${waMessageId}`;
const splitKey = (key: string): [string, string] => key.split('\u0000') as [string, string];
