import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from '../support/node-test';
import { Client } from 'pg';
import { api, eventually } from '../support/http';
import { mediaFixtures } from '../support/media-fixtures';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';
import { createToken } from '../support/factories';
import { waitTimeout } from '../support/wait';

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
    const session = await createToken(t, { name: 's', sessionId: a });
    const workspace = await createToken(t, { name: 'w', workspace: 'Sales' });
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

  it("lets a bound token send by mediaId only media of its own sessions' messages", async () => {
    for (const [id, phone] of [[a, '15550700001'], [b, '15550700002']]) {
      await api(t).post(`/api/sessions/${id}/sandbox/link`).send({ phoneNumber: phone }).expect(200);
    }
    const tokenA = await createToken(t, { name: 'a', sessionId: a });
    const tokenB = await createToken(t, { name: 'b', sessionId: b });
    const { png } = await mediaFixtures();
    const data = `data:image/png;base64,${png.toString('base64')}`;
    const sent = await api(t, tokenA).post('/api/messages/send').send({ sessionId: a, to: '15550700099', type: 'image', data }).expect(202);
    const mediaId = (await api(t, tokenA).get(`/api/messages/${sent.body.message.id}`).expect(200)).body.message.media.id;
    assert.match(mediaId, /^[0-9a-f-]{36}$/);
    const foreign = await api(t, tokenB).post('/api/messages/send').send({ sessionId: b, to: '15550700099', type: 'image', mediaId }).expect(400);
    assert.equal(foreign.body.error.code, 'MEDIA_INVALID');
    const unknown = await api(t, tokenB).post('/api/messages/send').send({ sessionId: b, to: '15550700099', type: 'image', mediaId: '00000000-0000-4000-8000-000000000000' }).expect(400);
    assert.equal(unknown.body.error.message, `No media with id '00000000-0000-4000-8000-000000000000'`);
    assert.equal(foreign.body.error.message, `No media with id '${mediaId}'`);
    await api(t, tokenB).get(`/api/messages/${sent.body.message.id}/media`).expect(403);
    // Its own session, and an unbound admin, may reuse it.
    await api(t, tokenA).post('/api/messages/send').send({ sessionId: a, to: '15550700098', type: 'image', mediaId }).expect(202);
    await api(t).post('/api/messages/send').send({ sessionId: b, to: '15550700098', type: 'image', mediaId }).expect(202);
  });
});

/** Opens the event stream; `ended` resolves with the time (ms) the server ended it. */
async function openStream(t: TestApp, credential: string): Promise<{ ended: Promise<number>; abort: () => void }> {
  const controller = new AbortController();
  const res = await fetch(`${t.url}/api/events`, { headers: { authorization: `Bearer ${credential}` }, signal: controller.signal });
  assert.equal(res.status, 200);
  const ended = (async () => {
    try {
      for await (const _ of res.body as unknown as AsyncIterable<Uint8Array>);
    } catch {
      /* aborted by the test */
    }
    return Date.now();
  })();
  return { ended, abort: () => controller.abort() };
}

async function timed<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe('Security: revocation ends JWTs and event streams', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { ADMIN_PASSWORD: 'initial-password' } });
  });
  after(async () => {
    await t?.destroy();
  });

  async function adminToken(): Promise<{ id: string; token: string }> {
    const { body } = await api(t).post('/api/auth/tokens').send({ name: 'admin', role: 'admin' }).expect(201);
    return { id: body.id, token: body.token };
  }

  it('ends a JWT issued to a token when the token is revoked', async () => {
    const admin = await adminToken();
    const jwt = (await api(t, admin.token).get('/api/auth/token').expect(200)).body.token;
    await api(t, jwt).get('/api/sessions').expect(200);
    await api(t).delete(`/api/auth/tokens/${admin.id}`).expect(200);
    await api(t, jwt).get('/api/sessions').expect(401);
    await api(t, admin.token).get('/api/sessions').expect(401);
  });

  it('ends a JWT issued to a token revoked by another process within the 5 s cache', async () => {
    const admin = await adminToken();
    const jwt = (await api(t, admin.token).get('/api/auth/token').expect(200)).body.token;
    await api(t, jwt).get('/api/sessions').expect(200);
    // What another replica's DELETE does: only the row changes.
    await t.dataSource.query('UPDATE api_token SET revoked_at = now() WHERE id = $1', [admin.id]);
    const revokedAt = Date.now();
    await eventually(async () => (await api(t, jwt).get('/api/sessions')).status === 401, 8_000, 100);
    const elapsed = Date.now() - revokedAt;
    process.stdout.write(`# JWT of a token revoked by another process refused after ${elapsed} ms\n`);
    // The bound itself, without a stopwatch: once the 5 s cache has surely expired, a fresh
    // token's JWT revoked the same way must be refused on its very first request.
    const second = await adminToken();
    const secondJwt = (await api(t, second.token).get('/api/auth/token').expect(200)).body.token;
    await api(t, secondJwt).get('/api/sessions').expect(200);
    await t.dataSource.query('UPDATE api_token SET revoked_at = now() WHERE id = $1', [second.id]);
    await new Promise((r) => setTimeout(r, 5_100));
    await api(t, secondJwt).get('/api/sessions').expect(401);
  });

  it('ends an event stream when its token is revoked', async () => {
    const admin = await adminToken();
    const stream = await openStream(t, admin.token);
    try {
      await api(t).delete(`/api/auth/tokens/${admin.id}`).expect(200);
      const revokedAt = Date.now();
      const elapsed = (await timed(stream.ended, waitTimeout(3_000), 'stream end')) - revokedAt;
      process.stdout.write(`# event stream ended ${elapsed} ms after the revocation\n`);
    } finally {
      stream.abort();
    }
  });

  it('ends an event stream whose token is revoked by another process', async () => {
    const admin = await adminToken();
    const stream = await openStream(t, admin.token);
    try {
      await t.dataSource.query('UPDATE api_token SET revoked_at = now() WHERE id = $1', [admin.id]);
      const revokedAt = Date.now();
      const elapsed = (await timed(stream.ended, waitTimeout(10_000), 'stream end')) - revokedAt;
      process.stdout.write(`# event stream ended ${elapsed} ms after a revocation by another process\n`);
    } finally {
      stream.abort();
    }
  });

  it('ends an event stream on a JWT of a revoked token, and on a login JWT when the password changes', async () => {
    const admin = await adminToken();
    const issued = await openStream(t, (await api(t, admin.token).get('/api/auth/token').expect(200)).body.token);
    const login = (await api(t, null).post('/api/auth/login').send({ password: 'initial-password' }).expect(200)).body.token;
    const loggedIn = await openStream(t, login);
    const keyStream = await openStream(t, TEST_API_KEY);
    try {
      await api(t).delete(`/api/auth/tokens/${admin.id}`).expect(200);
      await timed(issued.ended, waitTimeout(3_000), 'stream on the issued JWT');
      await api(t).post('/api/auth/change-password').send({ currentPassword: 'initial-password', newPassword: 'second-password' }).expect(200);
      const changedAt = Date.now();
      const elapsed = (await timed(loggedIn.ended, waitTimeout(3_000), 'stream on the login JWT')) - changedAt;
      process.stdout.write(`# login JWT stream ended ${elapsed} ms after the password change\n`);
      // A stream on a credential that stays valid is not touched.
      const still = await Promise.race([keyStream.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('open'), 2_500))]);
      assert.equal(still, 'open');
    } finally {
      for (const s of [issued, loggedIn, keyStream]) s.abort();
    }
  });
});

/** The TCP ports this process listens on (Linux: /proc). */
function listeningTcpPorts(): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && cols[3] === '0A' && inodes.has(cols[9])) ports.push(Number.parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
}

describe('Security: the embedded database', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ database: await createTestDatabase('pglite') });
  });
  after(async () => {
    await t?.destroy();
  });

  it('opens no TCP port: only the HTTP server listens', async () => {
    const httpPort = Number(new URL(t.url).port);
    const others = listeningTcpPorts().filter((p) => p !== httpPort);
    for (const port of others) {
      // Whatever else listens must not be a database that lets anyone in as postgres.
      const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1_000 });
      const opened = await client.connect().then(
        () => true,
        () => false,
      );
      await client.end().catch(() => undefined);
      assert.equal(opened, false, `an unauthenticated database answers on TCP port ${port}`);
    }
    assert.deepEqual(others, []);
  });

  it('serves it on a socket only the server user can open, in a 0700 data directory', async () => {
    const socketDir = join(t.dataDir, 'pglite.sock');
    assert.equal(statSync(t.dataDir).mode & 0o777, 0o700);
    assert.equal(statSync(socketDir).mode & 0o777, 0o700);
    assert.equal(statSync(join(t.dataDir, 'pglite')).mode & 0o777, 0o700);
    const socket = statSync(join(socketDir, '.s.PGSQL.5432'));
    assert.ok(socket.isSocket());
    assert.equal(socket.mode & 0o777, 0o600);
    const [row] = await t.dataSource.query('SELECT 1 AS one');
    assert.equal(row.one, 1);
  });
});
