import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from '../support/node-test';
import { api } from '../support/http';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';

for (const kind of testDatabaseKinds()) describe(`Auth: credentials, login, tokens (${kind})`, () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { ADMIN_PASSWORD: 'initial-password' }, database: await createTestDatabase(kind) });
  });
  after(async () => {
    await t?.destroy();
  });

  it('needs a credential everywhere but health and docs', async () => {
    const res = await api(t, null).get('/api/sessions').expect(401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    await api(t, null).get('/api/health').expect(200);
    await api(t, null).get('/docs-json').expect(200);
    await api(t, 'sb_not-a-real-token').get('/api/sessions').expect(401);
    await api(t, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl').get('/api/sessions').expect(401);
    await api(t, null).get('/api/health/resources').expect(401);
  });

  it('accepts the key as Bearer, X-API-Key or apikey', async () => {
    await api(t).get('/api/sessions').expect(200);
    await api(t, null).get('/api/sessions').set('X-API-Key', TEST_API_KEY).expect(200);
    await api(t, null).get('/api/sessions').set('apikey', TEST_API_KEY).expect(200);
  });

  it('logs in with the password, sets an HttpOnly cookie, and the JWT works', async () => {
    const bad = await api(t, null).post('/api/auth/login').send({ password: 'wrong' }).expect(401);
    assert.equal(bad.body.error.code, 'INVALID_CREDENTIALS');
    const res = await api(t, null).post('/api/auth/login').send({ password: 'initial-password' }).expect(200);
    assert.match(res.body.token, /^eyJ/);
    const cookie = res.headers['set-cookie'][0];
    assert.match(cookie, /^sb_token=/);
    assert.match(cookie, /HttpOnly/);
    await api(t, res.body.token).get('/api/sessions').expect(200);
    await api(t, null).get('/api/sessions').set('Cookie', cookie.split(';')[0]).expect(200);
    const verify = await api(t, res.body.token).get('/api/auth/verify').expect(200);
    assert.deepEqual(verify.body.data, { valid: true, kind: 'jwt', isAdmin: true, sessionId: null, workspace: null });
    const out = await api(t, res.body.token).post('/api/auth/logout').expect(200);
    assert.match(out.headers['set-cookie'][0], /sb_token=;/);
  });

  it('changes the password and invalidates older JWTs', async () => {
    const { body } = await api(t, null).post('/api/auth/login').send({ password: 'initial-password' }).expect(200);
    const wrong = await api(t).post('/api/auth/change-password').send({ currentPassword: 'nope', newPassword: 'second-password' }).expect(401);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
    const short = await api(t).post('/api/auth/change-password').send({ currentPassword: 'initial-password', newPassword: 'short' }).expect(400);
    assert.equal(short.body.error.details.fields[0].field, 'newPassword');
    await api(t).post('/api/auth/change-password').send({ oldPassword: 'initial-password', newPassword: 'second-password' }).expect(200);
    await api(t, body.token).get('/api/sessions').expect(401);
    await api(t, null).post('/api/auth/login').send({ password: 'initial-password' }).expect(401);
    await api(t, null).post('/api/auth/login').send({ password: 'second-password' }).expect(200);
  });

  it('gives admins the application token the connections manager uses', async () => {
    const res = await api(t).get('/api/auth/token').expect(200);
    assert.equal(res.body.success, true);
    assert.match(res.body.token, /^eyJ/);
    await api(t, res.body.token).get('/api/sessions').expect(200);
  });

  it('creates, lists and revokes API tokens, showing the secret once and storing a hash', async () => {
    const created = await api(t).post('/api/auth/tokens').send({ name: 'crm', expiresIn: '1d' }).expect(201);
    assert.equal(created.body.success, true);
    assert.match(created.body.token, /^sb_/);
    assert.ok(created.body.id && created.body.expiresAt);
    const [row] = await t.dataSource.query('SELECT token_hash FROM api_token WHERE id = $1', [created.body.id]);
    assert.notEqual(row.token_hash, created.body.token);
    assert.ok(!JSON.stringify(await t.dataSource.query('SELECT * FROM api_token')).includes(created.body.token));

    await api(t, created.body.token).get('/api/sessions').expect(200);
    const list = await api(t).get('/api/auth/tokens').expect(200);
    const listed = list.body.tokens.find((x: { id: string }) => x.id === created.body.id);
    assert.equal(listed.name, 'crm');
    assert.equal(listed.token, undefined);

    // A plain API token is not an admin.
    const denied = await api(t, created.body.token).post('/api/auth/tokens').send({ name: 'x' }).expect(403);
    assert.equal(denied.body.error.code, 'ADMIN_REQUIRED');

    await api(t).delete(`/api/auth/tokens/${created.body.id}`).expect(200);
    await api(t, created.body.token).get('/api/sessions').expect(401);
    await api(t).delete('/api/auth/tokens/not-a-uuid').expect(400);
    const gone = await api(t).delete('/api/auth/tokens/00000000-0000-4000-8000-000000000000').expect(404);
    assert.equal(gone.body.error.code, 'TOKEN_NOT_FOUND');
  });

  it('rejects expired tokens', async () => {
    const created = await api(t).post('/api/auth/tokens').send({ name: 'short', expiresIn: 1 }).expect(201);
    await api(t, created.body.token).get('/api/auth/verify').expect(200);
    // Expiry is enforced from the row's expires_at even while the token is in the verified cache.
    const { expiresAt } = (await t.dataSource.query(`SELECT expires_at AS "expiresAt" FROM api_token WHERE id = $1`, [created.body.id]))[0];
    await new Promise((r) => setTimeout(r, Math.max(0, new Date(expiresAt).getTime() - Date.now()) + 20));
    await api(t, created.body.token).get('/api/auth/verify').expect(401);
    const bad = await api(t).post('/api/auth/tokens').send({ name: 'x', expiresIn: 'forever' }).expect(400);
    assert.equal(bad.body.error.details.fields[0].field, 'expiresIn');
  });

  it('confines a session-bound token to its session', async () => {
    const a = (await api(t).post('/api/sessions').send({ name: 'a' }).expect(201)).body.session.sessionId;
    const b = (await api(t).post('/api/sessions').send({ name: 'b' }).expect(201)).body.session.sessionId;
    const missing = await api(t).post('/api/auth/tokens').send({ name: 'x', sessionId: 'qr_1_00000000' }).expect(404);
    assert.equal(missing.body.error.code, 'SESSION_NOT_FOUND');
    const { body } = await api(t).post('/api/auth/tokens').send({ name: 'bound', sessionId: a }).expect(201);
    assert.equal(body.sessionId, a);
    const bound = api(t, body.token);
    await bound.get(`/api/sessions/${a}`).expect(200);
    const other = await bound.get(`/api/sessions/${b}`).expect(403);
    assert.equal(other.body.error.code, 'FORBIDDEN');
    await bound.post(`/api/sessions/${b}/restart`).expect(403);
    await bound.delete(`/api/sessions/${b}`).expect(403);
    await bound.post('/api/sessions').send({}).expect(403);
    const list = await bound.get('/api/sessions').expect(200);
    assert.deepEqual(list.body.sessions.map((s: { sessionId: string }) => s.sessionId), [a]);
    const verify = await bound.get('/api/auth/verify').expect(200);
    assert.equal(verify.body.data.sessionId, a);
  });
});

describe('Auth: first start without API_KEY or password', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { API_KEY: undefined } });
  });
  after(async () => {
    await t?.destroy();
  });

  it('generates an admin token, stores it 0600 under DATA_DIR, and it works', async () => {
    const file = join(t.dataDir, 'admin-token');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const token = readFileSync(file, 'utf8').trim();
    assert.match(token, /^sb_/);
    const verify = await api(t, token).get('/api/auth/verify').expect(200);
    assert.equal(verify.body.data.isAdmin, true);
    const login = await api(t, null).post('/api/auth/login').send({ password: 'anything' }).expect(409);
    assert.equal(login.body.error.code, 'PASSWORD_NOT_SET');
    // Without a password yet, an admin sets the first one without the current one.
    await api(t, token).post('/api/auth/change-password').send({ newPassword: 'first-password' }).expect(200);
    await api(t, null).post('/api/auth/login').send({ password: 'first-password' }).expect(200);
  });

  it('keeps the same admin token across a restart and persists the generated JWT secret', async () => {
    const token = readFileSync(join(t.dataDir, 'admin-token'), 'utf8').trim();
    const jwt = (await api(t, token).get('/api/auth/token').expect(200)).body.token;
    await t.close();
    t = await startTestApp({ env: { API_KEY: undefined }, database: t.database, dataDir: t.dataDir });
    assert.equal(readFileSync(join(t.dataDir, 'admin-token'), 'utf8').trim(), token);
    await api(t, token).get('/api/sessions').expect(200);
    await api(t, jwt).get('/api/sessions').expect(200);
  });
});
