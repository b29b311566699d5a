import assert from 'node:assert/strict';
import { after, describe, it } from '../support/node-test';
import { DataSource } from 'typeorm';
import { dataSourceOptions, MIGRATIONS, runMigrations } from '../../src/database/data-source';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('Migration 1763800006000: admin tokens are never bound', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let database: TestDatabase;

  after(async () => {
    await database?.drop();
  });

  it('turns bound admin rows into API tokens, keeping the binding, and refuses new ones', async () => {
    database = await createTestDatabase('postgres', { empty: true });
    const before = MIGRATIONS.filter((m) => Number(/\d{13}$/.exec(m.name)![0]) < 1763800006000);
    const old = await new DataSource({ ...dataSourceOptions(database.url!, { poolSize: 1, embedded: false }), migrations: before }).initialize();
    try {
      await runMigrations(old);
      await old.query(
        `INSERT INTO api_token (name, token_hash, token_prefix, role, workspace) VALUES ('bound', 'h1', 'sb_1', 'admin', 'Sales'), ('admin', 'h2', 'sb_2', 'admin', NULL)`,
      );
    } finally {
      await old.destroy();
    }
    const ds = await new DataSource(dataSourceOptions(database.url!, { poolSize: 1, embedded: false })).initialize();
    try {
      await runMigrations(ds);
      const rows = await ds.query(`SELECT name, role, workspace FROM api_token ORDER BY name`);
      assert.deepEqual(rows, [
        { name: 'admin', role: 'admin', workspace: null },
        { name: 'bound', role: 'api', workspace: 'Sales' },
      ]);
      await assert.rejects(
        ds.query(`INSERT INTO api_token (name, token_hash, token_prefix, role, workspace) VALUES ('x', 'h3', 'sb_3', 'admin', 'Sales')`),
        (err: { code?: string }) => err.code === '23514',
      );
    } finally {
      await ds.destroy();
    }
  });
});
