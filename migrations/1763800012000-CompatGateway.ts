import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The WA Gateway's session names (`default`, `support`, …), each pointing at one native session. */
export class CompatGateway1763800012000 implements MigrationInterface {
  name = 'CompatGateway1763800012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "compat_gateway_session" (
        "name" text PRIMARY KEY,
        "session_id" text NOT NULL UNIQUE REFERENCES "session"("id") ON DELETE CASCADE,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "compat_gateway_session"`);
  }
}
