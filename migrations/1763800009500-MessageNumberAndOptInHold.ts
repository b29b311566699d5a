import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two message columns:
 * - `number`: a stable positive integer per message (the WA Gateway's `message_id`), unique,
 *   drawn from an identity sequence. Existing rows are numbered 1, 2, … in insertion (`seq`)
 *   order; new rows continue after them.
 * - `held_reason`: set while a QUEUED message waits for its recipient's opt-in (sessions with
 *   `optInMode: 'hold'`). The claim index leaves held rows out, so a held backlog costs the
 *   queue nothing; a small partial index finds them when a contact answers.
 */
export class MessageNumberAndOptInHold1763800009500 implements MigrationInterface {
  name = 'MessageNumberAndOptInHold1763800009500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "message" ADD COLUMN "number" bigint`);
    await q.query(`UPDATE "message" m SET "number" = o.n FROM (SELECT id, row_number() OVER (ORDER BY seq) AS n FROM "message") o WHERE m.id = o.id`);
    await q.query(`ALTER TABLE "message" ALTER COLUMN "number" SET NOT NULL`);
    await q.query(`ALTER TABLE "message" ALTER COLUMN "number" ADD GENERATED ALWAYS AS IDENTITY`);
    await q.query(
      `SELECT setval(pg_get_serial_sequence('"message"', 'number'), COALESCE((SELECT max("number") FROM "message"), 1), (SELECT count(*) > 0 FROM "message"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "message_number_idx" ON "message" ("number")`);

    await q.query(`ALTER TABLE "message" ADD COLUMN "held_reason" text`);
    await q.query(`DROP INDEX "message_queue_idx"`);
    await q.query(`CREATE INDEX "message_queue_idx" ON "message" ("session_id", "seq") WHERE "status" = 'QUEUED' AND "held_reason" IS NULL`);
    await q.query(`CREATE INDEX "message_held_idx" ON "message" ("session_id", "chat_jid") WHERE "held_reason" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "message_held_idx"`);
    await q.query(`DROP INDEX "message_queue_idx"`);
    await q.query(`CREATE INDEX "message_queue_idx" ON "message" ("session_id", "seq") WHERE "status" = 'QUEUED'`);
    await q.query(`ALTER TABLE "message" DROP COLUMN "held_reason"`);
    await q.query(`DROP INDEX "message_number_idx"`);
    await q.query(`ALTER TABLE "message" DROP COLUMN "number"`);
  }
}
