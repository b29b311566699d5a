import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook subscriptions, their durable delivery queue (one row per event × subscription) and
 * the log of every HTTP attempt.
 */
export class Webhooks1763800002000 implements MigrationInterface {
  name = 'Webhooks1763800002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "webhook" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "url" text NOT NULL,
        "events" text[] NOT NULL,
        "session_id" text REFERENCES "session"("id") ON DELETE CASCADE,
        "format" text NOT NULL DEFAULT 'native',
        "options" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "secret" text NOT NULL,
        "description" text,
        "active" boolean NOT NULL DEFAULT true,
        "origin" text NOT NULL DEFAULT 'api' CHECK ("origin" IN ('api', 'device')),
        "lease_owner" text,
        "lease_until" timestamptz,
        "consecutive_failures" integer NOT NULL DEFAULT 0,
        "last_success_at" timestamptz,
        "last_failure_at" timestamptz,
        "last_error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "webhook_session_idx" ON "webhook" ("session_id")`);
    // Seed 004: one per-device webhook per session, replaced in place.
    await q.query(`CREATE UNIQUE INDEX "webhook_device_idx" ON "webhook" ("session_id") WHERE "origin" = 'device'`);

    await q.query(`
      CREATE TABLE "webhook_delivery" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "seq" bigserial NOT NULL,
        "webhook_id" uuid NOT NULL REFERENCES "webhook"("id") ON DELETE CASCADE,
        "event_id" text NOT NULL,
        "event_type" text NOT NULL,
        "session_id" text,
        "body" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('PENDING', 'DELIVERED', 'FAILED')),
        "attempts" integer NOT NULL DEFAULT 0,
        "round_start" integer NOT NULL DEFAULT 0,
        "queued_at" timestamptz NOT NULL DEFAULT now(),
        "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
        "last_attempt_at" timestamptz,
        "last_status_code" integer,
        "last_error" text,
        "delivered_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // The dispatcher reads each subscription's queue head in creation order.
    await q.query(`CREATE INDEX "webhook_delivery_pending_idx" ON "webhook_delivery" ("webhook_id", "seq") WHERE "status" = 'PENDING'`);
    // The delivery log, newest first, optionally by status; health counts failed rows.
    await q.query(`CREATE INDEX "webhook_delivery_log_idx" ON "webhook_delivery" ("webhook_id", "seq" DESC)`);
    await q.query(`CREATE INDEX "webhook_delivery_status_idx" ON "webhook_delivery" ("webhook_id", "status", "seq" DESC)`);

    await q.query(`
      CREATE TABLE "webhook_delivery_attempt" (
        "id" bigserial PRIMARY KEY,
        "delivery_id" uuid NOT NULL REFERENCES "webhook_delivery"("id") ON DELETE CASCADE,
        "attempt" integer NOT NULL,
        "started_at" timestamptz NOT NULL,
        "duration_ms" integer NOT NULL,
        "status_code" integer,
        "success" boolean NOT NULL,
        "error" text,
        "response_body" text
      )`);
    await q.query(`CREATE INDEX "webhook_delivery_attempt_delivery_idx" ON "webhook_delivery_attempt" ("delivery_id", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_delivery_attempt"`);
    await q.query(`DROP TABLE "webhook_delivery"`);
    await q.query(`DROP TABLE "webhook"`);
  }
}
