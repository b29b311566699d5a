import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '../database/sql';

/** Rows per INSERT (5 parameters each). */
const INSERT_CHUNK = 1_000;

/**
 * A place in the outbox: rows are ordered by `(xid, seq)`, the writing transaction's id
 * first. Both are 64-bit, kept as decimal strings.
 */
export interface OutboxPosition {
  xid: string;
  seq: string;
}

export const OUTBOX_START: OutboxPosition = { xid: '0', seq: '0' };

export interface NewOutboxRow {
  eventId: string;
  type: string;
  sessionId: string;
  envelope: string;
}

export interface OutboxRow extends OutboxPosition {
  eventId: string;
  type: string;
  sessionId: string;
  envelope: string;
}

/** `a` before `b`? */
export function positionBefore(a: OutboxPosition, b: OutboxPosition): boolean {
  const ax = BigInt(a.xid);
  const bx = BigInt(b.xid);
  return ax < bx || (ax === bx && BigInt(a.seq) < BigInt(b.seq));
}

/**
 * The `event_outbox` table's SQL. Readers only see rows below the horizon: the oldest
 * transaction still running (`pg_snapshot_xmin(pg_current_snapshot())`). Every row below it
 * is final (its transaction has committed or rolled back), and every row written later lies
 * above it in `(xid, seq)` order, so reading forward from a position never skips a row that
 * commits late.
 */
@Injectable()
export class EventOutboxRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Inserts in array order, in the manager's transaction. */
  async insert(manager: EntityManager, rows: NewOutboxRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      await manager.query(
        `INSERT INTO event_outbox (event_id, type, session_id, envelope)
         SELECT u.event_id, u.type, u.session_id, u.envelope
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(event_id, type, session_id, envelope, ord)
          ORDER BY u.ord`,
        [chunk.map((r) => r.eventId), chunk.map((r) => r.type), chunk.map((r) => r.sessionId), chunk.map((r) => r.envelope)],
      );
    }
  }

  /**
   * Up to `limit` final rows after `after`, in order; with `upTo`, none past it. `sessionId`
   * narrows to one session. `blocked`: rows exist that are not final yet (their transaction
   * is still open, or an older one is), so the caller should look again soon.
   */
  async readAfter(after: OutboxPosition, limit: number, opts: { upTo?: OutboxPosition; sessionId?: string | null } = {}): Promise<{ rows: OutboxRow[]; blocked: boolean }> {
    const params: unknown[] = [after.xid, after.seq, limit];
    let where = '';
    if (opts.upTo) {
      params.push(opts.upTo.xid, opts.upTo.seq);
      where += ` AND (e.xid, e.seq) <= ($4::xid8, $5::bigint)`;
    }
    if (opts.sessionId) {
      params.push(opts.sessionId);
      where += ` AND e.session_id = $${params.length}`;
    }
    const raw = rowsOf(await this.db.query(
      `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS x)
       SELECT e.xid::text AS xid, e.seq::text AS seq, e.event_id, e.type, e.session_id, e.envelope
         FROM event_outbox e, h
        WHERE (e.xid, e.seq) > ($1::xid8, $2::bigint) AND e.xid < h.x${where}
        ORDER BY e.xid, e.seq LIMIT $3`,
      params,
    ));
    const rows = raw.map((r) => ({
      xid: r.xid as string,
      seq: r.seq as string,
      eventId: r.event_id as string,
      type: r.type as string,
      sessionId: r.session_id as string,
      envelope: r.envelope as string,
    }));
    let blocked = false;
    if (rows.length < limit && !opts.upTo) {
      const [row] = rowsOf(await this.db.query(
        `SELECT EXISTS (SELECT 1 FROM event_outbox WHERE xid >= pg_snapshot_xmin(pg_current_snapshot())) AS blocked`,
      ));
      blocked = row?.blocked === true;
    }
    return { rows, blocked };
  }

  /** The last final row's position (OUTBOX_START when there is none). */
  async tail(): Promise<OutboxPosition> {
    const [row] = rowsOf(await this.db.query(
      `SELECT xid::text AS xid, seq::text AS seq FROM event_outbox
        WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY xid DESC, seq DESC LIMIT 1`,
    ));
    return row ? { xid: row.xid as string, seq: row.seq as string } : OUTBOX_START;
  }

  /** The position of the row with this `seq`, if it is still retained. */
  async positionOf(seq: string): Promise<OutboxPosition | null> {
    const [row] = rowsOf(await this.db.query(`SELECT xid::text AS xid, seq::text AS seq FROM event_outbox WHERE seq = $1::bigint`, [seq]));
    return row ? { xid: row.xid as string, seq: row.seq as string } : null;
  }

  /** Deletes rows older than the cutoff, in batches; returns how many. */
  async prune(olderThanHours: number, batch = 5_000): Promise<number> {
    const rows = rowsOf(await this.db.query(
      `DELETE FROM event_outbox WHERE seq IN (
         SELECT seq FROM event_outbox WHERE created_at < now() - ($1 || ' hours')::interval LIMIT $2)
       RETURNING seq`,
      [String(olderThanHours), batch],
    ));
    return rows.length;
  }
}
