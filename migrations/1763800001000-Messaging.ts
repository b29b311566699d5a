import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The messages table is the queue; media are stored once by content hash; contacts carry opt-in. */
export class Messaging1763800001000 implements MigrationInterface {
  name = 'Messaging1763800001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "media" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "sha256" text NOT NULL UNIQUE,
        "mimetype" text NOT NULL,
        "size" bigint NOT NULL,
        "file_name" text,
        "storage_key" text NOT NULL,
        "seconds" integer,
        "waveform" text,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE "message" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "seq" bigserial NOT NULL,
        "session_id" text NOT NULL REFERENCES "session"("id") ON DELETE CASCADE,
        "direction" text NOT NULL CHECK ("direction" IN ('outbound', 'inbound')),
        "wa_message_id" text NOT NULL,
        "chat_jid" text NOT NULL,
        "recipient_input" text,
        "sender_jid" text,
        "type" text NOT NULL,
        "content" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "media_id" uuid REFERENCES "media"("id"),
        "status" text NOT NULL,
        "status_history" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
        "lease_until" timestamptz,
        "claimed_by" text,
        "expires_at" timestamptz,
        "error_code" text,
        "error_message" text,
        "idempotency_key" text,
        "sent_at" timestamptz,
        "delivered_at" timestamptz,
        "read_at" timestamptz,
        "played_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // Every index costs each enqueue; these are the ones the queue and the history use.
    // Dispatchers claim a session's due rows in FIFO order; the expiry sweep scans the same set.
    await q.query(`CREATE INDEX "message_queue_idx" ON "message" ("session_id", "seq") WHERE "status" = 'QUEUED'`);
    await q.query(`CREATE INDEX "message_sending_idx" ON "message" ("session_id") WHERE "status" = 'SENDING'`);
    // Receipts and inbound de-duplication find a message by its WhatsApp id.
    await q.query(`CREATE UNIQUE INDEX "message_wa_id_idx" ON "message" ("session_id", "direction", "wa_message_id")`);
    await q.query(`CREATE UNIQUE INDEX "message_idempotency_idx" ON "message" ("session_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`);
    // History is ordered by seq (insertion order), per session, per chat, or across sessions.
    await q.query(`CREATE INDEX "message_session_seq_idx" ON "message" ("session_id", "seq" DESC)`);
    await q.query(`CREATE INDEX "message_chat_seq_idx" ON "message" ("session_id", "chat_jid", "seq" DESC)`);
    await q.query(`CREATE INDEX "message_seq_idx" ON "message" ("seq" DESC)`);
    // Daily caps count today's sends.
    await q.query(`CREATE INDEX "message_sent_idx" ON "message" ("session_id", "sent_at") WHERE "sent_at" IS NOT NULL`);

    await q.query(`
      CREATE TABLE "contact" (
        "session_id" text NOT NULL REFERENCES "session"("id") ON DELETE CASCADE,
        "jid" text NOT NULL,
        "phone_number" text,
        "lid" text,
        "name" text,
        "push_name" text,
        "opt_in" text CHECK ("opt_in" IN ('pending', 'yes', 'no')),
        "opt_in_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("session_id", "jid")
      )`);
    await q.query(`CREATE INDEX "contact_phone_idx" ON "contact" ("session_id", "phone_number")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "contact"`);
    await q.query(`DROP TABLE "message"`);
    await q.query(`DROP TABLE "media"`);
  }
}
