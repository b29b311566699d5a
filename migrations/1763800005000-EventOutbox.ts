import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every webhook event, written in the transaction of the state change it reports: the
 * source the live stream (`GET /api/events`) tails and replays from.
 *
 * `xid` is the writing transaction's id. Rows are read in `(xid, seq)` order and only below
 * the oldest transaction still running (`pg_snapshot_xmin`), so a reader never passes over a
 * row whose transaction has not committed yet (a `seq` alone can become visible out of order).
 * The envelope is the exact native webhook body (text, not jsonb, which would reorder keys).
 */
export class EventOutbox1763800005000 implements MigrationInterface {
  name = 'EventOutbox1763800005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "event_outbox" (
        "seq" bigserial PRIMARY KEY,
        "xid" xid8 NOT NULL DEFAULT pg_current_xact_id(),
        "event_id" text NOT NULL,
        "type" text NOT NULL,
        "session_id" text NOT NULL,
        "envelope" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "event_outbox_position" ON "event_outbox" ("xid", "seq")`);
    await q.query(`CREATE INDEX "event_outbox_created_at" ON "event_outbox" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "event_outbox"`);
  }
}
