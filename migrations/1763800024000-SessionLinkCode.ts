import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The QR (or pairing code) a session being linked shows right now, published by the replica
 * running it so any replica can answer `GET /api/sessions/{id}/qr`. Both values are sealed with
 * the master key; `node` is the publisher (only it clears them); `expires_at` bounds how long a
 * value is trusted when its publisher dies. See docs/scaling.md.
 */
export class SessionLinkCode1763800024000 implements MigrationInterface {
  name = 'SessionLinkCode1763800024000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "session_link_code" (
        "session_id" text PRIMARY KEY REFERENCES "session"("id") ON DELETE CASCADE,
        "node" text NOT NULL,
        "qr" text,
        "pairing_code" text,
        "expires_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "session_link_code"`);
  }
}
