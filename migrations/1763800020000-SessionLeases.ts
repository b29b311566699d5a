import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replicas on one database: `cluster_node` (one row per replica, its heartbeat) and
 * `session_lease` (which replica runs a session's WhatsApp socket, until when, the fencing
 * token that grows on every acquisition, and a replica asking for it). See docs/scaling.md.
 */
export class SessionLeases1763800020000 implements MigrationInterface {
  name = 'SessionLeases1763800020000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "cluster_node" (
        "id" text PRIMARY KEY,
        "host" text NOT NULL,
        "incarnation" uuid NOT NULL,
        "started_at" timestamptz NOT NULL DEFAULT now(),
        "last_seen" timestamptz NOT NULL DEFAULT now(),
        "stopped_at" timestamptz
      )`);
    await q.query(`
      CREATE TABLE "session_lease" (
        "session_id" text PRIMARY KEY REFERENCES "session"("id") ON DELETE CASCADE,
        "owner" text,
        "expires_at" timestamptz NOT NULL,
        "token" bigint NOT NULL DEFAULT 0,
        "acquired_at" timestamptz,
        "renewed_at" timestamptz,
        "handover_to" text
      )`);
    await q.query(`CREATE INDEX "session_lease_owner_idx" ON "session_lease" ("owner")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "session_lease"`);
    await q.query(`DROP TABLE "cluster_node"`);
  }
}
