import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The exact WhatsApp message an outbound row went out as (a serialized protocol message,
 * opaque to everything but the engine), so a recipient device that could not decrypt it can
 * get it re-encrypted and re-sent on its retry receipt, also after a restart. Null until the
 * engine has sent the message, and for inbound rows.
 */
export class MessageWaProto1763800004000 implements MigrationInterface {
  name = 'MessageWaProto1763800004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "message" ADD COLUMN "wa_proto" bytea`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "message" DROP COLUMN "wa_proto"`);
  }
}
