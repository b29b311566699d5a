import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Message templates of a workspace: the Cloud API facade's `/{waba-id}/message_templates`
 * (a WhatsApp Business Account is a workspace) creates templates every session of the
 * workspace may send. A template is now global (no session, no workspace), a workspace's, or
 * one session's; one translation per (name, language) in each of those scopes.
 */
export class MessageTemplateWorkspace1763800016000 implements MigrationInterface {
  name = 'MessageTemplateWorkspace1763800016000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "message_template" ADD COLUMN "workspace" text`);
    await q.query(`ALTER TABLE "message_template" ADD CONSTRAINT "message_template_one_scope" CHECK ("session_id" IS NULL OR "workspace" IS NULL)`);
    await q.query(`DROP INDEX "message_template_name_idx"`);
    await q.query(
      `CREATE UNIQUE INDEX "message_template_name_idx" ON "message_template" (COALESCE("session_id", ''), COALESCE("workspace", ''), "name", "language")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "message_template" WHERE "workspace" IS NOT NULL`);
    await q.query(`DROP INDEX "message_template_name_idx"`);
    await q.query(`CREATE UNIQUE INDEX "message_template_name_idx" ON "message_template" (COALESCE("session_id", ''), "name", "language")`);
    await q.query(`ALTER TABLE "message_template" DROP CONSTRAINT "message_template_one_scope"`);
    await q.query(`ALTER TABLE "message_template" DROP COLUMN "workspace"`);
  }
}
