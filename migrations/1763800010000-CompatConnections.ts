import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The connections API's connections (/compat/connections): a customer, its native session and
 * its current connection token (the token itself is an `api_token` row, hash only).
 */
export class CompatConnections1763800010000 implements MigrationInterface {
  name = 'CompatConnections1763800010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "compat_connection" (
        "id" uuid PRIMARY KEY,
        "customer_id" text NOT NULL UNIQUE,
        "customer_name" text NOT NULL,
        "website_url" text,
        "session_id" text NOT NULL REFERENCES "session"("id") ON DELETE CASCADE,
        "token_id" uuid REFERENCES "api_token"("id") ON DELETE SET NULL,
        "logged_out_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "compat_connection_session_idx" ON "compat_connection" ("session_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "compat_connection"`);
  }
}
