import assert from 'node:assert/strict';
import { after, describe, it } from '../support/node-test';
import { DataSource } from 'typeorm';
import { dataSourceOptions, MIGRATIONS, runMigrations } from '../../src/database/data-source';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('Migration 1763800009500: message numbers and the opt-in hold', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let database: TestDatabase;

  after(async () => {
    await database?.drop();
  });

  it('numbers existing messages 1, 2, … in insertion order and continues after them; held rows leave the claim index', async () => {
    database = await createTestDatabase('postgres', { empty: true });
    // The schema as it was just before this migration: every older one.
    const before = MIGRATIONS.filter((m) => Number(/\d{13}$/.exec(m.name)![0]) < 1763800009500);
    const old = await new DataSource({ ...dataSourceOptions(database.url!, { poolSize: 1, embedded: false }), migrations: before }).initialize();
    try {
      await runMigrations(old);
      await old.query(`INSERT INTO session (id, method, engine, status) VALUES ('s1', 'qr', 'sandbox', 'READY')`);
      for (const wa of ['A', 'B', 'C']) {
        await old.query(`INSERT INTO message (session_id, direction, wa_message_id, chat_jid, type, status) VALUES ('s1', 'outbound', $1, 'x@s.whatsapp.net', 'text', 'SENT')`, [wa]);
      }
    } finally {
      await old.destroy();
    }
    const ds = await new DataSource(dataSourceOptions(database.url!, { poolSize: 1, embedded: false })).initialize();
    try {
      await runMigrations(ds);
      const rows = await ds.query(`SELECT wa_message_id AS wa, number::int AS n, held_reason FROM message ORDER BY seq`);
      assert.deepEqual(rows, [
        { wa: 'A', n: 1, held_reason: null },
        { wa: 'B', n: 2, held_reason: null },
        { wa: 'C', n: 3, held_reason: null },
      ]);
      const [next] = await ds.query(
        `INSERT INTO message (session_id, direction, wa_message_id, chat_jid, type, status) VALUES ('s1', 'outbound', 'D', 'x@s.whatsapp.net', 'text', 'QUEUED') RETURNING number::int AS n`,
      );
      assert.equal(next.n, 4);
      // Numbers come from the identity only.
      await assert.rejects(
        ds.query(`INSERT INTO message (session_id, direction, wa_message_id, chat_jid, type, status, number) VALUES ('s1', 'outbound', 'E', 'x', 'text', 'QUEUED', 99)`),
        (err: { code?: string }) => err.code === '428C9',
      );
      const [index] = await ds.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'message_queue_idx'`);
      assert.match(index.indexdef, /held_reason IS NULL/);
    } finally {
      await ds.destroy();
    }
  });
});
