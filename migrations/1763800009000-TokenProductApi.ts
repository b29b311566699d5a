import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API tokens may be issued for one sibling product's API (`connections`, `phones`, `gateway`,
 * `devices`): such a token works on that API's routes only. Existing tokens stay native.
 */
export class TokenProductApi1763800009000 implements MigrationInterface {
  name = 'TokenProductApi1763800009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_token" ADD COLUMN "api" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_token" DROP COLUMN "api"`);
  }
}
