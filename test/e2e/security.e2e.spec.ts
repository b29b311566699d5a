import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';

for (const kind of testDatabaseKinds()) describe(`Security: token scope (${kind})`, () => {
  let t: TestApp;
  let a: string;
  let b: string;

  before(async () => {
    t = await startTestApp({ database: await createTestDatabase(kind) });
    a = (await api(t).post('/api/sessions').send({ name: 'a', workspace: 'Sales' }).expect(201)).body.session.sessionId;
    b = (await api(t).post('/api/sessions').send({ name: 'b', workspace: 'Support' }).expect(201)).body.session.sessionId;
  });
  after(async () => {
    await t?.destroy();
  });

  it('refuses an admin token bound to a session or a workspace', async () => {
    const bySession = await api(t).post('/api/auth/tokens').send({ name: 'x', role: 'admin', sessionId: a }).expect(400);
    assert.equal(bySession.body.error.code, 'VALIDATION_FAILED');
    assert.equal(bySession.body.error.details.fields[0].field, 'sessionId');
    const byWorkspace = await api(t).post('/api/auth/tokens').send({ name: 'x', role: 'admin', workspace: 'Sales' }).expect(400);
    assert.equal(byWorkspace.body.error.details.fields[0].field, 'workspace');
    assert.equal((await t.dataSource.query(`SELECT count(*)::int AS n FROM api_token WHERE role = 'admin'`))[0].n, 0);
  });

  it('never treats a bound row as an admin, even one stored as role admin', async () => {
    const { body } = await api(t).post('/api/auth/tokens').send({ name: 'bound', sessionId: a }).expect(201);
    // A row written before the API refused the combination.
    await t.dataSource.query(`ALTER TABLE api_token DROP CONSTRAINT IF EXISTS api_token_admin_unbound`);
    await t.dataSource.query(`UPDATE api_token SET role = 'admin' WHERE id = $1`, [body.id]);
    const bound = api(t, body.token);
    const verify = await bound.get('/api/auth/verify').expect(200);
    assert.deepEqual(verify.body.data, { valid: true, kind: 'token', isAdmin: false, sessionId: a, workspace: null });
    assert.equal((await bound.get('/api/auth/tokens').expect(403)).body.error.code, 'ADMIN_REQUIRED');
    await bound.post('/api/auth/tokens').send({ name: 'wider' }).expect(403);
    await bound.get(`/api/sessions/${b}`).expect(403);
    await bound.get('/api/auth/token').expect(403);
  });

  it('lets no bound token move a session to another workspace', async () => {
    const session = (await api(t).post('/api/auth/tokens').send({ name: 's', sessionId: a }).expect(201)).body.token;
    const workspace = (await api(t).post('/api/auth/tokens').send({ name: 'w', workspace: 'Sales' }).expect(201)).body.token;
    for (const token of [session, workspace]) {
      const moved = await api(t, token).post('/api/workspace').send({ token: a, workspace: 'Support' }).expect(403);
      assert.equal(moved.body.error.code, 'FORBIDDEN');
      await api(t, token).patch(`/api/sessions/${a}/settings`).send({ workspace: null }).expect(403);
      // Other settings, and restating the same workspace, stay allowed.
      await api(t, token).patch(`/api/sessions/${a}/settings`).send({ workspace: 'Sales', rejectCalls: true }).expect(200);
    }
    const [row] = await t.dataSource.query(`SELECT settings->>'workspace' AS w FROM session WHERE id = $1`, [a]);
    assert.equal(row.w, 'Sales');
    await api(t).post('/api/workspace').send({ token: a, workspace: 'Sales' }).expect(200);
  });
});
