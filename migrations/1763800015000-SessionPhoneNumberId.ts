import type { MigrationInterface, QueryRunner } from 'typeorm';
import { phoneNumberIdOf } from '../src/common/utils/graph-ids';

/**
 * `session.phone_number_id`: the session's canonical Cloud API phone number id (15 digits, a
 * pure function of the session id, see `phoneNumberIdOf`). CRMs store it, put it in paths and
 * compare it with webhook metadata; the resolver finds a session by it. Existing rows are
 * backfilled with the same function new rows use, so an id never changes once shown.
 */
export class SessionPhoneNumberId1763800015000 implements MigrationInterface {
  name = 'SessionPhoneNumberId1763800015000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "session" ADD COLUMN "phone_number_id" text`);
    const rows: { id: string }[] = await q.query(`SELECT "id" FROM "session"`);
    for (const { id } of rows) {
      await q.query(`UPDATE "session" SET "phone_number_id" = $1 WHERE "id" = $2`, [phoneNumberIdOf(id), id]);
    }
    await q.query(`ALTER TABLE "session" ALTER COLUMN "phone_number_id" SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX "session_phone_number_id_idx" ON "session" ("phone_number_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "session_phone_number_id_idx"`);
    await q.query(`ALTER TABLE "session" DROP COLUMN "phone_number_id"`);
  }
}
