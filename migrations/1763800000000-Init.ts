import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1763800000000 implements MigrationInterface {
  name = 'Init1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "session" (
        "id" text PRIMARY KEY,
        "name" text,
        "method" text NOT NULL CHECK ("method" IN ('qr', 'phone')),
        "pairing_phone" text,
        "engine" text NOT NULL,
        "status" text NOT NULL,
        "active" boolean NOT NULL DEFAULT true,
        "mobile_number" text,
        "mobid" text,
        "me_jid" text,
        "push_name" text,
        "settings" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "last_error" text,
        "status_changed_at" timestamptz NOT NULL DEFAULT now(),
        "connected_at" timestamptz,
        "last_seen_at" timestamptz,
        "reconnect_attempts" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "session_mobile_number_idx" ON "session" ("mobile_number")`);
    await q.query(`CREATE INDEX "session_mobid_idx" ON "session" ("mobid")`);
    await q.query(`CREATE INDEX "session_active_idx" ON "session" ("active") WHERE "active"`);

    await q.query(`
      CREATE TABLE "session_status_change" (
        "id" bigserial PRIMARY KEY,
        "session_id" text NOT NULL REFERENCES "session"("id") ON DELETE CASCADE,
        "status" text NOT NULL,
        "reason" text,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "session_status_change_session_idx" ON "session_status_change" ("session_id", "id")`);

    await q.query(`
      CREATE TABLE "wa_auth_key" (
        "session_id" text NOT NULL REFERENCES "session"("id") ON DELETE CASCADE,
        "type" text NOT NULL,
        "key_id" text NOT NULL,
        "value" text NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("session_id", "type", "key_id")
      )`);

    await q.query(`
      CREATE TABLE "api_token" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "token_hash" text NOT NULL UNIQUE,
        "token_prefix" text NOT NULL,
        "role" text NOT NULL CHECK ("role" IN ('admin', 'api')),
        "session_id" text REFERENCES "session"("id") ON DELETE CASCADE,
        "expires_at" timestamptz,
        "last_used_at" timestamptz,
        "revoked_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE "setting" (
        "key" text PRIMARY KEY,
        "value" text NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "setting"`);
    await q.query(`DROP TABLE "api_token"`);
    await q.query(`DROP TABLE "wa_auth_key"`);
    await q.query(`DROP TABLE "session_status_change"`);
    await q.query(`DROP TABLE "session"`);
  }
}
