import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook deliveries are ordered per chat instead of per subscription: `order_key` names the
 * chat (or the session, for session events) an event belongs to. Deliveries of one key go out
 * one at a time in creation order; different keys of one subscription go out in parallel.
 * Rows from before this migration get the empty key: one queue per subscription between them.
 */
export class WebhookChatOrder1763800022000 implements MigrationInterface {
  name = 'WebhookChatOrder1763800022000';

  async up(q: QueryRunner): Promise<void> {
    // A constant default is a catalog change only: existing rows are not rewritten.
    await q.query(`ALTER TABLE "webhook_delivery" ADD COLUMN "order_key" text NOT NULL DEFAULT ''`);
    // A key's head (and whether it waits for a retry) is one index probe.
    await q.query(`CREATE INDEX "webhook_delivery_key_idx" ON "webhook_delivery" ("webhook_id", "order_key", "seq") WHERE "status" = 'PENDING'`);
    // When a subscription's next retry falls due, without reading its backlog.
    await q.query(`CREATE INDEX "webhook_delivery_due_idx" ON "webhook_delivery" ("webhook_id", "next_attempt_at") WHERE "status" = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "webhook_delivery_due_idx"`);
    await q.query(`DROP INDEX "webhook_delivery_key_idx"`);
    await q.query(`ALTER TABLE "webhook_delivery" DROP COLUMN "order_key"`);
  }
}
