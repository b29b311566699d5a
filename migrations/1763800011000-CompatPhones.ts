import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The phones manager API (/compat/phones): its phone numbers (each linked through one native
 * session) and the native webhooks created through it.
 */
export class CompatPhones1763800011000 implements MigrationInterface {
  name = 'CompatPhones1763800011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "compat_phone" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "phone" text NOT NULL,
        "country" text,
        "session_id" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX "compat_phone_phone_key" ON "compat_phone" ("phone")`);
    await q.query(`
      CREATE TABLE "compat_phone_webhook" (
        "webhook_id" uuid PRIMARY KEY REFERENCES "webhook" ("id") ON DELETE CASCADE,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "compat_phone_webhook"`);
    await q.query(`DROP TABLE "compat_phone"`);
  }
}
