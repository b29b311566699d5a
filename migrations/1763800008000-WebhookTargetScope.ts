import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks remember whether a session- or workspace-bound token set their URL: those may only
 * be delivered to public addresses. Existing webhooks stay unrestricted (as they behaved).
 */
export class WebhookTargetScope1763800008000 implements MigrationInterface {
  name = 'WebhookTargetScope1763800008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook" ADD COLUMN "restricted" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook" DROP COLUMN "restricted"`);
  }
}
