import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tokens may be bound to a workspace (seed 004); sessions are filtered by their workspace label. */
export class Workspaces1763800002500 implements MigrationInterface {
  name = 'Workspaces1763800002500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_token" ADD COLUMN "workspace" text`);
    await q.query(`CREATE INDEX "session_workspace_idx" ON "session" ((settings->>'workspace'))`);
    await q.query(`CREATE INDEX "contact_updated_idx" ON "contact" ("session_id", "updated_at" DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "contact_updated_idx"`);
    await q.query(`DROP INDEX "session_workspace_idx"`);
    await q.query(`ALTER TABLE "api_token" DROP COLUMN "workspace"`);
  }
}
