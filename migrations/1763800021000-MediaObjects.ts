import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Media bytes in the database, for MEDIA_STORAGE=postgres: one row per object key. Unused (and
 * empty) with the disk or S3 backends.
 */
export class MediaObjects1763800021000 implements MigrationInterface {
  name = 'MediaObjects1763800021000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "media_object" (
        "key" text PRIMARY KEY,
        "data" bytea NOT NULL,
        "size" bigint NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "media_object"`);
  }
}
