import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `cluster_node.url`: the internal base URL (NODE_URL) other replicas forward a session's calls
 * to when this replica runs it and they do not. See docs/scaling.md.
 */
export class ClusterNodeUrl1763800024100 implements MigrationInterface {
  name = 'ClusterNodeUrl1763800024100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cluster_node" ADD COLUMN "url" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cluster_node" DROP COLUMN "url"`);
  }
}
