import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The device-token gateway API's devices: a named token → one native session (deleted with it),
 * with the call-rejection settings its `start` asked for.
 */
export class CompatDevices1763800013000 implements MigrationInterface {
  name = 'CompatDevices1763800013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "compat_device" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "token" text NOT NULL UNIQUE,
        "token_digest" text NOT NULL UNIQUE,
        "session_id" text NOT NULL UNIQUE REFERENCES "session"("id") ON DELETE CASCADE,
        "reject_call" boolean NOT NULL DEFAULT false,
        "reject_message" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "compat_device"`);
  }
}
