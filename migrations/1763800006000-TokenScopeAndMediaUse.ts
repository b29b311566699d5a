import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An admin token is never bound to a session or workspace: rows that were (the API allowed
 * it) become plain API tokens, keeping their binding, and a constraint keeps it so. An index
 * lets a bound caller's `mediaId` be checked against its sessions' messages.
 */
export class TokenScopeAndMediaUse1763800006000 implements MigrationInterface {
  name = 'TokenScopeAndMediaUse1763800006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "api_token" SET "role" = 'api' WHERE "role" = 'admin' AND ("session_id" IS NOT NULL OR "workspace" IS NOT NULL)`);
    await q.query(
      `ALTER TABLE "api_token" ADD CONSTRAINT "api_token_admin_unbound" CHECK ("role" <> 'admin' OR ("session_id" IS NULL AND "workspace" IS NULL))`,
    );
    await q.query(`CREATE INDEX "message_media_idx" ON "message" ("media_id") WHERE "media_id" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "message_media_idx"`);
    await q.query(`ALTER TABLE "api_token" DROP CONSTRAINT "api_token_admin_unbound"`);
  }
}
