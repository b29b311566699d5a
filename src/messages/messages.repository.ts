import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { DataSource, type EntityManager, In, Repository } from 'typeorm';
import { MessageEntity } from './entities/message.entity';
import { InsertBatcher } from './insert-batcher';
import { MessageStatus, statusRankSql } from './message-status';
import { isUuid, rowsOf } from '../database/sql';

/** A message number written as digits (at most 15, a safe integer); null otherwise. */
export function asMessageNumber(ref: string): number | null {
  return /^[1-9][0-9]{0,14}$/.test(ref) ? Number(ref) : null;
}

/** Appends `{status, at, reason}` to the row's status history. */
function historyAppend(statusParam: string, reasonParam = 'NULL'): string {
  return `status_history = status_history || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
    'status', ${statusParam}::text, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'reason', ${reasonParam}::text)))`;
}

const RECEIPT_COLUMNS: Record<string, string> = {
  [MessageStatus.SENT]: 'sent_at = COALESCE(sent_at, $4)',
  [MessageStatus.DELIVERED]: 'sent_at = COALESCE(sent_at, $4), delivered_at = COALESCE(delivered_at, $4)',
  [MessageStatus.READ]: 'sent_at = COALESCE(sent_at, $4), delivered_at = COALESCE(delivered_at, $4), read_at = COALESCE(read_at, $4)',
  [MessageStatus.PLAYED]:
    'sent_at = COALESCE(sent_at, $4), delivered_at = COALESCE(delivered_at, $4), read_at = COALESCE(read_at, $4), played_at = COALESCE(played_at, $4)',
};

export interface NewOutbound {
  sessionId: string;
  waMessageId: string;
  chatJid: string;
  recipientInput: string;
  type: MessageEntity['type'];
  content: MessageEntity['content'];
  mediaId: string | null;
  expiresAt: Date;
  idempotencyKey: string | null;
}

/**
 * One UTC hour of message flow, each figure counted at the moment it happened: `outbound`
 * messages queued, outbound messages that reached `sent`, `delivered` and `read` (receipt
 * times; a played voice note counts as read), outbound messages that `failed` in that hour
 * (from the status history: one that failed, was resent and failed again later counts in both
 * hours) and `inbound` messages received.
 */
export interface HourlyFlow {
  hour: string;
  outbound: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  inbound: number;
}

/** The dashboard's message figures (see `flowFigures`). */
/** See `MessagesRepository.queueFigures`. */
export interface QueueFigures {
  queued: number;
  held: number;
  sending: number;
  oldestQueuedSeconds: number;
}

export interface MessageFlowFigures {
  last24h: { outbound: Record<string, number>; inbound: number };
  hourly: HourlyFlow[];
  queued: number;
}

export interface ListFilter {
  sessionIds?: string[];
  chatJid?: string;
  direction?: 'inbound' | 'outbound';
  status?: MessageStatus;
  from?: Date;
  to?: Date;
  beforeSeq?: number;
  offset?: number;
  limit: number;
}

/**
 * The queue's SQL. Claims use `FOR UPDATE SKIP LOCKED`, so several processes on one
 * database never claim the same row; every status change is appended to `status_history`.
 */
@Injectable()
export class MessagesRepository {
  constructor(
    @InjectRepository(MessageEntity) private readonly repo: Repository<MessageEntity>,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /**
   * The entity's columns for `RETURNING`: `*` would also carry `wa_proto`, the engine's copy
   * of a sent message (kilobytes for media), on every status update.
   */
  private readonly returningRow = `RETURNING ${this.repo.metadata.columns.map((c) => `"${c.databaseName}"`).join(', ')}`;
  private readonly returningClaimed = `RETURNING ${this.repo.metadata.columns.map((c) => `m."${c.databaseName}"`).join(', ')}`;

  /**
   * Runs one `pg` query config (a named statement, prepared once per connection) on a connection
   * of TypeORM's pool, borrowed through the public QueryRunner API: `connect()` hands out the
   * driver's own client, `release()` returns it.
   */
  private async pgQuery<R extends QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>> {
    const runner = this.db.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      return await client.query<R>(config);
    } finally {
      await runner.release();
    }
  }

  create(row: Partial<MessageEntity>): MessageEntity {
    return this.repo.create(row);
  }

  /**
   * Inserts a queued outbound message; concurrent enqueues share one multi-row INSERT (see
   * InsertBatcher). Returns null when its idempotency key is already taken.
   */
  insertOutbound(row: NewOutbound): Promise<MessageEntity | null> {
    return this.enqueueBatcher.add(row);
  }

  /**
   * One INSERT in flight: whatever arrives while it commits goes out together in the next one
   * (group commit). Two in flight measured within noise on the tail (3-5 % more throughput)
   * and would let a later batch commit before an earlier one with lower seqs; with one,
   * commit order is seq order, so a claim never passes over a row that is still committing.
   */
  private readonly enqueueBatcher = new InsertBatcher<NewOutbound, MessageEntity | null>((rows) => this.insertMany(rows));

  private async insertMany(rows: NewOutbound[]): Promise<(MessageEntity | null)[]> {
    const at = new Date().toISOString();
    // One statement whatever the batch size (columns travel as arrays), so it is prepared once
    // per connection and sent on the pooled client itself (see pgQuery); rows are inserted in array
    // order, so `seq` keeps the callers' FIFO order.
    const { rows: inserted } = await this.pgQuery<Record<string, unknown>>({
      name: 'switchboard_enqueue_outbound',
      text: `INSERT INTO message (session_id, direction, wa_message_id, chat_jid, recipient_input, type, content, media_id, status,
                            status_history, attempts, next_attempt_at, expires_at, idempotency_key)
       SELECT u.session_id, 'outbound', u.wa_message_id, u.chat_jid, u.recipient_input, u.type, u.content::jsonb, u.media_id::uuid, 'QUEUED',
              $10::jsonb, 0, now(), u.expires_at, u.idempotency_key
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[])
              WITH ORDINALITY AS u(session_id, wa_message_id, chat_jid, recipient_input, type, content, media_id, expires_at, idempotency_key, ord)
        ORDER BY u.ord
       ON CONFLICT DO NOTHING
       RETURNING id, seq, number, wa_message_id, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms`,
      values: [
        rows.map((r) => r.sessionId),
        rows.map((r) => r.waMessageId),
        rows.map((r) => r.chatJid),
        rows.map((r) => r.recipientInput),
        rows.map((r) => r.type),
        rows.map((r) => JSON.stringify(r.content)),
        rows.map((r) => r.mediaId),
        rows.map((r) => r.expiresAt),
        rows.map((r) => r.idempotencyKey),
        JSON.stringify([{ status: MessageStatus.QUEUED, at }]),
      ],
    });
    const byWaId = new Map(inserted.map((r) => [r.wa_message_id as string, r]));
    return rows.map((row) => {
      const r = byWaId.get(row.waMessageId);
      if (!r) return null;
      // Both columns default to the statement's now(); as epoch milliseconds the time costs a
      // float parse instead of pg's timestamp text parser, which was 2 % of the enqueue CPU.
      const createdAt = new Date(r.created_ms as number);
      // A plain assignment: repo.create() walks the entity metadata for every row.
      return Object.assign(new MessageEntity(), row, {
        direction: 'outbound' as const,
        id: r.id as string,
        seq: Number(r.seq),
        number: Number(r.number),
        status: MessageStatus.QUEUED,
        heldReason: null,
        statusHistory: [{ status: MessageStatus.QUEUED, at }],
        attempts: 0,
        createdAt,
        updatedAt: new Date(createdAt.getTime()),
      });
    });
  }

  /** Rows by id in the manager's transaction, keyed by id. */
  async findManyWith(manager: EntityManager, ids: string[]): Promise<Map<string, MessageEntity>> {
    if (!ids.length) return new Map();
    const rows = await manager.getRepository(MessageEntity).findBy({ id: In(ids) });
    return new Map(rows.map((r) => [r.id, r]));
  }

  findById(id: string): Promise<MessageEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByIdempotencyKey(sessionId: string, key: string): Promise<MessageEntity | null> {
    return this.repo.findOneBy({ sessionId, idempotencyKey: key });
  }

  /** By our id, our number (digits) or by WhatsApp id within a session. */
  async findByRef(sessionId: string, ref: string): Promise<MessageEntity | null> {
    const number = asMessageNumber(ref);
    const match = isUuid(ref)
      ? '(m.id = CAST(:refId AS uuid) OR m.wa_message_id = :ref)'
      : number !== null
        ? '(m.number = :number OR m.wa_message_id = :ref)'
        : 'm.wa_message_id = :ref';
    return this.repo
      .createQueryBuilder('m')
      .where('m.session_id = :sessionId', { sessionId })
      .andWhere(match, { ref, refId: ref, number })
      .orderBy('m.seq', 'DESC')
      .getOne();
  }

  /** By number, among the messages of `sessionIds` (any session when null). */
  async findByNumber(number: number, sessionIds: string[] | null): Promise<MessageEntity | null> {
    if (!Number.isSafeInteger(number) || number < 1 || (sessionIds && !sessionIds.length)) return null;
    const qb = this.repo.createQueryBuilder('m').where('m.number = :number', { number });
    if (sessionIds) qb.andWhere('m.session_id IN (:...sessionIds)', { sessionIds });
    return qb.getOne();
  }

  /**
   * Claims up to `limit` due messages of one session, oldest first, leasing them to
   * `instanceId` for `leaseMs`. Each claim counts as an attempt.
   */
  async claim(sessionId: string, instanceId: string, limit: number, leaseMs: number): Promise<MessageEntity[]> {
    const rows: Record<string, unknown>[] = rowsOf(await this.db.query(
      `UPDATE message m SET status = 'SENDING', attempts = m.attempts + 1, claimed_by = $2,
              lease_until = now() + ($3 || ' milliseconds')::interval, updated_at = now()
         FROM (SELECT id FROM message
                WHERE session_id = $1 AND status = 'QUEUED' AND held_reason IS NULL AND next_attempt_at <= now()
                ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED) due
        WHERE m.id = due.id
        ${this.returningClaimed}`,
      [sessionId, instanceId, String(leaseMs), limit],
    ));
    return rows.map((r) => this.fromRaw(r)).sort((a, b) => a.seq - b.seq);
  }

  /** Whether a message of one of these sessions uses the stored media (sent or received it). */
  async isMediaUsedBy(mediaId: string, sessionIds: string[]): Promise<boolean> {
    if (!isUuid(mediaId) || !sessionIds.length) return false;
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM message WHERE media_id = $1 AND session_id = ANY($2::text[]) LIMIT 1`, [mediaId, sessionIds]);
    return rows.length > 0;
  }

  /** Pins generated media (a synthesized voice note) to a message. */
  async attachMedia(id: string, mediaId: string): Promise<void> {
    await this.db.query(`UPDATE message SET media_id = $2, updated_at = now() WHERE id = $1`, [id, mediaId]);
  }

  /**
   * SENDING → SENT (a receipt that already moved the row further is kept). `protos[i]` (hex,
   * or null) is the engine's copy of message `ids[i]` for retry receipts, written in the same
   * statement, so a SENT row carries it; a row the server's ack already made SENT gets it too.
   */
  async markSent(ids: string[], at: Date, manager?: EntityManager, protos?: (string | null)[]): Promise<MessageEntity[]> {
    if (!ids.length) return [];
    const rows: Record<string, unknown>[] = rowsOf(await (manager ?? this.db).query(
      `WITH p AS (SELECT * FROM unnest($1::uuid[], $3::text[]) AS p(pid, hex)),
            acked AS (UPDATE message k SET wa_proto = decode(p.hex, 'hex') FROM p
                       WHERE k.id = p.pid AND p.hex IS NOT NULL AND k.status = 'SENT' RETURNING k.id)
       UPDATE message SET sent_at = COALESCE(sent_at, $2), lease_until = NULL, updated_at = now(),
              error_code = NULL, error_message = NULL, wa_proto = COALESCE(decode(p.hex, 'hex'), wa_proto),
              ${historyAppend("'SENT'")},
              status = CASE WHEN ${statusRankSql('status')} < 2 THEN 'SENT' ELSE status END
         FROM p
        WHERE id = p.pid AND status IN ('SENDING', 'DELIVERED', 'READ', 'PLAYED')
        ${this.returningRow}`,
      [ids, at, protos ?? ids.map(() => null)],
    ));
    return rows.map((r) => this.fromRaw(r));
  }

  /** Back to the queue after a transient failure, due again after `delayMs`. */
  async retryLater(id: string, delayMs: number, code: string, message: string): Promise<void> {
    await this.db.query(
      `UPDATE message SET status = 'QUEUED', lease_until = NULL, claimed_by = NULL, error_code = $2, error_message = $3,
              next_attempt_at = now() + ($4 || ' milliseconds')::interval, updated_at = now(), ${historyAppend("'QUEUED'", '$2')}
        WHERE id = $1 AND status = 'SENDING'`,
      [id, code, message, String(delayMs)],
    );
  }

  /** Ends a claimed message (FAILED, OPTED_OUT). */
  async finish(id: string, status: MessageStatus, code: string, message: string, manager?: EntityManager): Promise<MessageEntity | null> {
    const rows: Record<string, unknown>[] = rowsOf(await (manager ?? this.db).query(
      `UPDATE message SET status = $2, lease_until = NULL, error_code = $3, error_message = $4, updated_at = now(),
              ${historyAppend('$2', '$3')}
        WHERE id = $1 AND status = 'SENDING' ${this.returningRow}`,
      [id, status, code, message],
    ));
    return rows[0] ? this.fromRaw(rows[0]) : null;
  }

  /** Un-claims messages that were not attempted (session went away): the attempt does not count. */
  async release(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.query(
      `UPDATE message SET status = 'QUEUED', attempts = GREATEST(attempts - 1, 0), lease_until = NULL, claimed_by = NULL, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND status = 'SENDING'`,
      [ids],
    );
  }

  /**
   * Applies a receipt if it moves the message forward; returns the row when it changed.
   * Out-of-order receipts (read before delivered) fill the earlier timestamps too.
   */
  async applyReceipt(sessionId: string, waMessageId: string, status: MessageStatus, at: Date, manager?: EntityManager): Promise<MessageEntity | null> {
    const rank = statusRankSql(`'${status}'`);
    const rows: Record<string, unknown>[] = rowsOf(await (manager ?? this.db).query(
      `UPDATE message SET status = $3, ${RECEIPT_COLUMNS[status]}, lease_until = NULL, updated_at = now(),
              error_code = NULL, error_message = NULL, ${historyAppend('$3')}
        WHERE session_id = $1 AND direction = 'outbound' AND wa_message_id = $2
          AND status IN ('SENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED')
          AND ${statusRankSql('status')} < ${rank}
        ${this.returningRow}`,
      [sessionId, waMessageId, status, at],
    ));
    return rows[0] ? this.fromRaw(rows[0]) : null;
  }

  /** A failure ack from WhatsApp for a message already sent. */
  async failSent(sessionId: string, waMessageId: string, code: string, manager?: EntityManager): Promise<MessageEntity | null> {
    const rows: Record<string, unknown>[] = rowsOf(await (manager ?? this.db).query(
      `UPDATE message SET status = 'FAILED', error_code = $3, error_message = 'WhatsApp rejected the message', updated_at = now(),
              ${historyAppend("'FAILED'", '$3')}
        WHERE session_id = $1 AND direction = 'outbound' AND wa_message_id = $2 AND status IN ('SENDING', 'SENT')
        ${this.returningRow}`,
      [sessionId, waMessageId, code],
    ));
    return rows[0] ? this.fromRaw(rows[0]) : null;
  }

  /** QUEUED past their expiry → EXPIRED. */
  async expireDue(manager?: EntityManager): Promise<MessageEntity[]> {
    const rows: Record<string, unknown>[] = rowsOf(await (manager ?? this.db).query(
      `UPDATE message SET status = 'EXPIRED', error_code = 'EXPIRED', error_message = 'The session was not ready before the message expired',
              updated_at = now(), ${historyAppend("'EXPIRED'")}
        WHERE status = 'QUEUED' AND held_reason IS NULL AND expires_at < now() ${this.returningRow}`,
    ));
    return rows.map((r) => this.fromRaw(r));
  }

  /**
   * Returns to the queue what a dead process had claimed: rows of `sessionId` claimed by
   * another instance (this process now owns the session's socket), and any expired lease.
   */
  async recoverClaims(sessionId: string | null, instanceId: string): Promise<number> {
    const rows: unknown[] = rowsOf(await this.db.query(
      `UPDATE message SET status = 'QUEUED', lease_until = NULL, claimed_by = NULL, updated_at = now(), ${historyAppend("'QUEUED'", "'RECOVERED'")}
        WHERE status = 'SENDING' AND (lease_until < now() OR ($1::text IS NOT NULL AND session_id = $1 AND claimed_by IS DISTINCT FROM $2))
        RETURNING id`,
      [sessionId, instanceId],
    ));
    return rows.length;
  }

  async countSentSince(sessionId: string, since: Date): Promise<number> {
    const [row] = await this.db.query(`SELECT count(*)::int AS n FROM message WHERE session_id = $1 AND sent_at >= $2`, [sessionId, since]);
    return row.n;
  }

  /** The earliest time a queued message of the session becomes due, if any (held ones never are). */
  async nextDueAt(sessionId: string): Promise<Date | null> {
    const [row] = await this.db.query(`SELECT min(next_attempt_at) AS at FROM message WHERE session_id = $1 AND status = 'QUEUED' AND held_reason IS NULL`, [
      sessionId,
    ]);
    return row?.at ? new Date(row.at) : null;
  }

  /** QUEUED → CANCELED; null when the message is no longer queued. */
  async cancel(id: string, manager?: EntityManager): Promise<MessageEntity | null> {
    const rows: Record<string, unknown>[] = rowsOf(await (manager ?? this.db).query(
      `UPDATE message SET status = 'CANCELED', held_reason = NULL, updated_at = now(), ${historyAppend("'CANCELED'")}
        WHERE id = $1 AND status = 'QUEUED' ${this.returningRow}`,
      [id],
    ));
    return rows[0] ? this.fromRaw(rows[0]) : null;
  }

  /** A failed, opted-out, expired or canceled message → QUEUED again with a fresh expiry. */
  async requeue(id: string, expiresAt: Date, manager?: EntityManager): Promise<MessageEntity | null> {
    const rows: Record<string, unknown>[] = rowsOf(await (manager ?? this.db).query(
      `UPDATE message SET status = 'QUEUED', attempts = 0, next_attempt_at = now(), expires_at = $2, error_code = NULL,
              error_message = NULL, held_reason = NULL, lease_until = NULL, claimed_by = NULL, updated_at = now(), ${historyAppend("'QUEUED'", "'RESEND'")}
        WHERE id = $1 AND status IN ('FAILED', 'OPTED_OUT', 'EXPIRED', 'CANCELED') ${this.returningRow}`,
      [id, expiresAt],
    ));
    return rows[0] ? this.fromRaw(rows[0]) : null;
  }

  /**
   * Holds a claimed message back until its recipient answers the opt-in prompt: QUEUED again
   * (the claim does not count as an attempt) with `held_reason`, which the claim skips. The
   * chat's other queued messages that the same rule would hold are held with it, so a backlog
   * to one contact costs one claim, not one each. Reactions and Switchboard's own texts (the
   * opt-in prompt) are never held. Returns how many rows were held.
   */
  async hold(id: string, sessionId: string, chatJid: string, reason: string): Promise<number> {
    const rows: unknown[] = rowsOf(await this.db.query(
      `UPDATE message SET status = 'QUEUED', held_reason = $4, lease_until = NULL, claimed_by = NULL, updated_at = now(),
              attempts = CASE WHEN status = 'SENDING' THEN GREATEST(attempts - 1, 0) ELSE attempts END,
              ${historyAppend("'QUEUED'", `'HELD_' || $4`)}
        WHERE (id = $1 AND status = 'SENDING')
           OR (session_id = $2 AND chat_jid = $3 AND direction = 'outbound' AND status = 'QUEUED' AND held_reason IS NULL
               AND type <> 'reaction' AND NOT (content ? 'system'))
        RETURNING id`,
      [id, sessionId, chatJid, reason],
    ));
    return rows.length;
  }

  /**
   * Held messages of one chat (every chat of the session when `chatJid` is null) → due now,
   * with a fresh expiry: the wait for the opt-in does not count against it. They rejoin the
   * queue at its back, in their order (new `seq`s; their `number`s stay), so they go after what
   * was queued before the release: the opt-in confirmation, other contacts' messages. `reason`
   * goes to the status history. Returns how many were released.
   */
  async releaseHeld(sessionId: string, chatJid: string | null, expiresAt: Date, reason: string): Promise<number> {
    // Locked first; then a volatile select list over an ordered input is evaluated after the sort
    // (no row locks at that level), so the new seqs follow the old order.
    const rows: unknown[] = rowsOf(await this.db.query(
      `WITH held AS MATERIALIZED (
         SELECT id, seq FROM message
          WHERE session_id = $1 AND ($2::text IS NULL OR chat_jid = $2) AND held_reason IS NOT NULL AND status = 'QUEUED'
          FOR UPDATE),
       released AS MATERIALIZED (SELECT id, nextval(pg_get_serial_sequence('message', 'seq')) AS new_seq FROM held ORDER BY held.seq)
       UPDATE message m SET held_reason = NULL, seq = r.new_seq, next_attempt_at = now(), expires_at = $3, updated_at = now(),
              ${historyAppend("'QUEUED'", '$4')}
         FROM released r WHERE m.id = r.id
        RETURNING m.id`,
      [sessionId, chatJid, expiresAt, reason],
    ));
    return rows.length;
  }

  /** Held messages of a chat whose contact said NO → OPTED_OUT. */
  async optOutHeld(sessionId: string, chatJid: string, manager?: EntityManager): Promise<MessageEntity[]> {
    const rows: Record<string, unknown>[] = rowsOf(await (manager ?? this.db).query(
      `UPDATE message SET status = 'OPTED_OUT', held_reason = NULL, error_code = 'OPTED_OUT',
              error_message = 'The recipient opted out of messages from this number', updated_at = now(), ${historyAppend("'OPTED_OUT'", "'OPTED_OUT'")}
        WHERE session_id = $1 AND chat_jid = $2 AND held_reason IS NOT NULL AND status = 'QUEUED'
        ${this.returningRow}`,
      [sessionId, chatJid],
    ));
    return rows.map((r) => this.fromRaw(r));
  }

  /**
   * Up to `limit` chats that have held messages, in (session, chat) order after `after` (the
   * sweep pages through them to re-check their opt-in).
   */
  async heldChats(limit: number, after: { sessionId: string; chatJid: string } | null = null): Promise<{ sessionId: string; chatJid: string }[]> {
    const rows: { session_id: string; chat_jid: string }[] = await this.db.query(
      `SELECT DISTINCT session_id, chat_jid FROM message
        WHERE held_reason IS NOT NULL AND status = 'QUEUED' AND ($2::text IS NULL OR (session_id, chat_jid) > ($2, $3))
        ORDER BY session_id, chat_jid LIMIT $1`,
      [limit, after?.sessionId ?? null, after?.chatJid ?? null],
    );
    return rows.map((r) => ({ sessionId: r.session_id, chatJid: r.chat_jid }));
  }

  /**
   * Message flow of the last 24 hours (outbound by current status, inbound, and per hour: queued,
   * sent, delivered, read, failed, received; see HourlyFlow) and the queue's depth, for the
   * sessions `sessionIds` (all when null).
   */
  async flowFigures(sessionIds: string[] | null): Promise<MessageFlowFigures> {
    const scope = `($1::text[] IS NULL OR m.session_id = ANY($1))`;
    const args = [sessionIds];
    const [outbound, inbound, hourly, queued] = await Promise.all([
      this.db.query(
        `SELECT m.status, count(*)::int AS n FROM message m
          WHERE ${scope} AND m.direction = 'outbound' AND m.created_at > now() - interval '24 hours' GROUP BY m.status`,
        args,
      ) as Promise<{ status: string; n: number }[]>,
      this.db.query(
        `SELECT count(*)::int AS n FROM message m WHERE ${scope} AND m.direction = 'inbound' AND m.created_at > now() - interval '24 hours'`,
        args,
      ) as Promise<{ n: number }[]>,
      this.db.query(
        // Each figure at the time it happened (see HourlyFlow); hours in UTC whatever the
        // database's time zone. `updated_at` bounds the history scan: every change sets it.
        `WITH cutoff AS (SELECT now() - interval '24 hours' AS at),
         events AS (
           SELECT date_trunc('hour', m.created_at AT TIME ZONE 'UTC') AS hour, m.direction AS kind
             FROM message m, cutoff WHERE ${scope} AND m.created_at > cutoff.at
           UNION ALL
           SELECT date_trunc('hour', m.sent_at AT TIME ZONE 'UTC'), 'sent'
             FROM message m, cutoff WHERE ${scope} AND m.direction = 'outbound' AND m.sent_at > cutoff.at
           UNION ALL
           SELECT date_trunc('hour', m.delivered_at AT TIME ZONE 'UTC'), 'delivered'
             FROM message m, cutoff WHERE ${scope} AND m.direction = 'outbound' AND m.delivered_at > cutoff.at
           UNION ALL
           SELECT date_trunc('hour', m.read_at AT TIME ZONE 'UTC'), 'read'
             FROM message m, cutoff WHERE ${scope} AND m.direction = 'outbound' AND m.read_at > cutoff.at
           UNION ALL
           SELECT f.hour, 'failed' FROM (
             SELECT DISTINCT m.id, date_trunc('hour', (h.change->>'at')::timestamptz AT TIME ZONE 'UTC') AS hour
               FROM message m CROSS JOIN cutoff
               CROSS JOIN LATERAL jsonb_array_elements(m.status_history) AS h(change)
              WHERE ${scope} AND m.direction = 'outbound' AND m.updated_at > cutoff.at
                AND h.change->>'status' = 'FAILED' AND (h.change->>'at')::timestamptz > cutoff.at) f)
         SELECT to_char(hour, 'YYYY-MM-DD"T"HH24:00:00"Z"') AS hour,
                count(*) FILTER (WHERE kind = 'outbound')::int AS outbound,
                count(*) FILTER (WHERE kind = 'sent')::int AS sent,
                count(*) FILTER (WHERE kind = 'delivered')::int AS delivered,
                count(*) FILTER (WHERE kind = 'read')::int AS read,
                count(*) FILTER (WHERE kind = 'failed')::int AS failed,
                count(*) FILTER (WHERE kind = 'inbound')::int AS inbound
           FROM events GROUP BY events.hour ORDER BY events.hour`,
        args,
      ) as Promise<HourlyFlow[]>,
      this.db.query(`SELECT count(*)::int AS n FROM message m WHERE ${scope} AND m.status IN ('QUEUED', 'SENDING')`, args) as Promise<{ n: number }[]>,
    ]);
    return {
      last24h: { outbound: Object.fromEntries(outbound.map((r) => [r.status, r.n])), inbound: inbound[0].n },
      hourly,
      queued: queued[0].n,
    };
  }

  /**
   * The queue right now, over all sessions: messages due to be sent (QUEUED, not held), held
   * for an opt-in answer, being sent, and the age in seconds of the oldest one waiting to be
   * sent (0 when none). Reads only the queue's rows (partial indexes), never the history.
   */
  async queueFigures(): Promise<QueueFigures> {
    const [row] = rowsOf(await this.db.query(
      `SELECT count(*) FILTER (WHERE status = 'QUEUED' AND held_reason IS NULL)::int AS queued,
              count(*) FILTER (WHERE status = 'QUEUED' AND held_reason IS NOT NULL)::int AS held,
              count(*) FILTER (WHERE status = 'SENDING')::int AS sending,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status = 'QUEUED' AND held_reason IS NULL)), 0)::float8 AS oldest
         FROM message WHERE status IN ('QUEUED', 'SENDING')`,
    ));
    return { queued: Number(row.queued), held: Number(row.held), sending: Number(row.sending), oldestQueuedSeconds: Math.max(0, Number(row.oldest)) };
  }

  /** Newest first; keyset pagination by `seq` (`beforeSeq`) or offset pages. */
  async list(filter: ListFilter): Promise<{ rows: MessageEntity[]; total?: number }> {
    const qb = this.repo.createQueryBuilder('m').orderBy('m.seq', 'DESC').take(filter.limit);
    if (filter.sessionIds) qb.andWhere('m.session_id IN (:...sessionIds)', { sessionIds: filter.sessionIds });
    if (filter.chatJid) qb.andWhere('m.chat_jid = :chat', { chat: filter.chatJid });
    if (filter.direction) qb.andWhere('m.direction = :direction', { direction: filter.direction });
    if (filter.status) qb.andWhere('m.status = :status', { status: filter.status });
    if (filter.from) qb.andWhere('m.created_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('m.created_at < :to', { to: filter.to });
    if (filter.beforeSeq !== undefined) qb.andWhere('m.seq < :beforeSeq', { beforeSeq: filter.beforeSeq });
    if (filter.offset !== undefined) {
      qb.skip(filter.offset);
      const [rows, total] = await qb.getManyAndCount();
      return { rows, total };
    }
    return { rows: await qb.getMany() };
  }

  /**
   * A row that `returningRow` / `returningClaimed` returned (column names) → the entity, each
   * value hydrated from the entity's column metadata as TypeORM's own reads do (`seq` through
   * its transformer).
   */
  private fromRaw(raw: Record<string, unknown>): MessageEntity {
    const entity = this.repo.create();
    for (const column of this.repo.metadata.columns) column.setEntityValue(entity, this.db.driver.prepareHydratedValue(raw[column.databaseName], column));
    return entity;
  }
}
