import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import { after, before, describe, it } from '../support/node-test';
import { phoneNumberIdOf } from '../../src/common/utils/graph-ids';
import { dataSourceOptions, MIGRATIONS, runMigrations } from '../../src/database/data-source';
import { SessionResolver } from '../../src/sessions/session-resolver';
import { api } from '../support/http';
import { linkedSession } from '../support/factories';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startTestApp, type TestApp } from '../support/test-app';

/** The canonical Cloud API phone number id: stored per session, unique, and the resolver's first match. */
describe('Sessions: canonical phone number id', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t?.destroy();
  });

  it('is stored on creation, unique, and resolves the session before a number or mobid that happens to equal it', async () => {
    const a = await linkedSession(t, '15550500001');
    const b = await linkedSession(t, '15550500002');
    const [row] = await t.dataSource.query(`SELECT phone_number_id FROM session WHERE id = $1`, [a.id]);
    assert.equal(row.phone_number_id, phoneNumberIdOf(a.id));
    // Another session whose mobid reads like A's canonical id: the canonical id still names A.
    await t.dataSource.query(`UPDATE session SET mobid = $1 WHERE id = $2`, [phoneNumberIdOf(a.id), b.id]);
    const resolver = t.app.get(SessionResolver);
    resolver.forget(a.id);
    resolver.forget(b.id);
    assert.equal((await resolver.findEntity(phoneNumberIdOf(a.id)))?.id, a.id);
    assert.equal((await resolver.findEntity(phoneNumberIdOf(b.id)))?.id, b.id);
    assert.equal((await api(t).get(`/api/sessions/${phoneNumberIdOf(a.id)}`).expect(200)).body.session.sessionId, a.id);
    await assert.rejects(t.dataSource.query(`UPDATE session SET phone_number_id = $1 WHERE id = $2`, [phoneNumberIdOf(a.id), b.id]), (err: { code?: string }) => err.code === '23505');
  });
});

describe('Migration 1763800015000: session phone number ids', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let database: TestDatabase;

  after(async () => {
    await database?.drop();
  });

  it('backfills existing sessions with the same id new sessions get, then requires it', async () => {
    database = await createTestDatabase('postgres', { empty: true });
    const before = MIGRATIONS.filter((m) => Number(/\d{13}$/.exec(m.name)![0]) < 1763800015000);
    const old = await new DataSource({ ...dataSourceOptions(database.url!, { poolSize: 1, embedded: false }), migrations: before }).initialize();
    try {
      await runMigrations(old);
      for (const id of ['qr_1_a', 'qr_2_b']) await old.query(`INSERT INTO session (id, method, engine, status) VALUES ($1, 'qr', 'sandbox', 'READY')`, [id]);
    } finally {
      await old.destroy();
    }
    const ds = await new DataSource(dataSourceOptions(database.url!, { poolSize: 1, embedded: false })).initialize();
    try {
      await runMigrations(ds);
      const rows = await ds.query(`SELECT id, phone_number_id FROM session ORDER BY id`);
      assert.deepEqual(rows, [
        { id: 'qr_1_a', phone_number_id: phoneNumberIdOf('qr_1_a') },
        { id: 'qr_2_b', phone_number_id: phoneNumberIdOf('qr_2_b') },
      ]);
      await assert.rejects(ds.query(`INSERT INTO session (id, method, engine, status) VALUES ('qr_3_c', 'qr', 'sandbox', 'READY')`), (err: { code?: string }) => err.code === '23502');
    } finally {
      await ds.destroy();
    }
  });
});
