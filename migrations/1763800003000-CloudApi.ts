import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Cloud API facade: media uploaded through `POST /{phone-number-id}/media` (Meta-style
 * numeric ids over the shared media store), what a facade send needs later (callback data
 * echoed in status webhooks, the options of a degraded interactive message), and the
 * message templates users define for `type: "template"` sends.
 */
export class CloudApi1763800003000 implements MigrationInterface {
  name = 'CloudApi1763800003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "cloud_api_media" (
        "id" text PRIMARY KEY,
        "media_id" uuid NOT NULL REFERENCES "media"("id") ON DELETE CASCADE,
        "session_id" text NOT NULL REFERENCES "session"("id") ON DELETE CASCADE,
        "mime_type" text NOT NULL,
        "file_name" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX "cloud_api_media_media_idx" ON "cloud_api_media" ("media_id")`);

    await q.query(`
      CREATE TABLE "cloud_api_message" (
        "message_id" uuid PRIMARY KEY REFERENCES "message"("id") ON DELETE CASCADE,
        "session_id" text NOT NULL REFERENCES "session"("id") ON DELETE CASCADE,
        "wa_message_id" text NOT NULL,
        "chat_jid" text NOT NULL,
        "biz_opaque_callback_data" text,
        "reply_options" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // Status webhooks look a send up by its WhatsApp id; inbound replies by their chat.
    await q.query(`CREATE INDEX "cloud_api_message_wa_idx" ON "cloud_api_message" ("session_id", "wa_message_id")`);
    await q.query(`CREATE INDEX "cloud_api_message_chat_idx" ON "cloud_api_message" ("session_id", "chat_jid", "created_at" DESC) WHERE "reply_options" IS NOT NULL`);

    await q.query(`
      CREATE TABLE "message_template" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "session_id" text REFERENCES "session"("id") ON DELETE CASCADE,
        "name" text NOT NULL,
        "language" text NOT NULL,
        "category" text NOT NULL,
        "status" text NOT NULL DEFAULT 'APPROVED',
        "components" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // One translation per name and language: global (no session) or per session.
    await q.query(`CREATE UNIQUE INDEX "message_template_name_idx" ON "message_template" (COALESCE("session_id", ''), "name", "language")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "message_template"`);
    await q.query(`DROP TABLE "cloud_api_message"`);
    await q.query(`DROP TABLE "cloud_api_media"`);
  }
}
