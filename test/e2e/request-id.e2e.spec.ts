import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from '../support/node-test';
import { api } from '../support/http';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Request ids over real HTTP: echoed or generated, in every error shape that has room for one. */
describe('Request ids in responses', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t?.destroy();
  });

  it('echoes a sane X-Request-Id and generates one otherwise', async () => {
    const echoed = await api(t).get('/api/sessions').set('X-Request-Id', 'trace-42.a:b_c').expect(200);
    assert.equal(echoed.headers['x-request-id'], 'trace-42.a:b_c');
    const generated = await api(t).get('/api/sessions').expect(200);
    assert.match(generated.headers['x-request-id'], UUID);
    for (const bad of ['has spaces in it', 'x'.repeat(129), 'semi;colon']) {
      const replaced = await api(t).get('/api/sessions').set('X-Request-Id', bad).expect(200);
      assert.match(replaced.headers['x-request-id'], UUID, bad);
    }
  });

  it('puts the id in native error bodies', async () => {
    const notFound = await api(t).get('/api/sessions/no-such-session').set('X-Request-Id', 'native-404').expect(404);
    assert.equal(notFound.body.requestId, 'native-404');
    assert.equal(notFound.body.error.code, 'SESSION_NOT_FOUND');
    const unauthenticated = await api(t, null).get('/api/sessions').expect(401);
    assert.match(unauthenticated.body.requestId, UUID);
    assert.equal(unauthenticated.body.requestId, unauthenticated.headers['x-request-id']);
    const malformed = await api(t).post('/api/webhooks').set('Content-Type', 'application/json').set('X-Request-Id', 'native-400').send('{"url":').expect(400);
    assert.equal(malformed.body.requestId, 'native-400');
  });

  it("puts the id in the Cloud API envelope's fbtrace_id", async () => {
    const res = await api(t).post('/v21.0/000000000000000/messages').set('X-Request-Id', 'graph-trace-1').send({ messaging_product: 'whatsapp', to: '1', text: { body: 'x' } });
    assert.ok(res.status >= 400, String(res.status));
    assert.equal(res.body.error.fbtrace_id, 'graph-trace-1');
    assert.equal(res.headers['x-request-id'], 'graph-trace-1');
    // Without an incoming id: the generated one, in the body and the headers alike.
    const generated = await api(t, null).post('/v21.0/000000000000000/messages').send({});
    assert.ok(generated.status >= 400, String(generated.status));
    assert.match(generated.body.error.fbtrace_id, UUID);
    assert.equal(generated.body.error.fbtrace_id, generated.headers['x-request-id']);
    assert.equal(generated.headers['x-fb-trace-id'], generated.headers['x-request-id']);
  });

  it('sends the id as X-Request-Id with the sibling products’ errors (their bodies keep their documented shape)', async () => {
    const res = await api(t, null).get('/compat/gateway/api/sessions').set('X-Request-Id', 'compat-trace-1');
    assert.equal(res.status, 401);
    assert.equal(res.headers['x-request-id'], 'compat-trace-1');
  });
});

/** The server as production runs it (JSON logs on stdout): every line of a request carries its id and the node. */
describe('Request ids and the node in log lines', () => {
  let server: ServerProcess | undefined;
  let database: TestDatabase;
  let dataDir: string;

  before(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-request-id-'));
    server = await startServerProcess(
      { DATABASE_URL: database.url, DATA_DIR: dataDir, API_KEY: TEST_API_KEY, WA_ENGINE: 'sandbox', LOG_LEVEL: 'debug', NODE_ID: 'replica-a' },
      { timeoutMs: 90_000 },
    );
  });
  after(async () => {
    await server?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const lines = () =>
    server!
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);

  it('writes the request id on the lines of that request, the node on every line, and no credential', async () => {
    const auth = { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
    const created = await fetch(`${server!.url}/api/sessions`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'logged' }) });
    assert.equal(created.status, 201);
    const sessionId = ((await created.json()) as { session: { sessionId: string } }).session.sessionId;
    // Linking logs the session's status changes while the request is handled.
    const requestId = 'log-trace-7f1c';
    const res = await fetch(`${server!.url}/api/sessions/${sessionId}/sandbox/link`, {
      method: 'POST',
      headers: { ...auth, 'x-request-id': requestId },
      body: JSON.stringify({ phoneNumber: '15550102001' }),
    });
    assert.equal(res.status, 200);
    await waitFor(() => lines().some((l) => l.requestId === requestId && l.msg === 'request completed'), { what: 'the request log line' });
    const ofRequest = lines().filter((l) => l.requestId === requestId);
    // Lines written by the handler (the session's status changes), not only the request line.
    const handlerLines = ofRequest.filter((l) => l.msg !== 'request completed');
    assert.ok(handlerLines.some((l) => l.msg === 'Session status changed' && l.sessionId === sessionId && l.status === 'READY'), server!.output());
    // Work the request did not cause (boot, other requests) carries no or another id.
    assert.ok(lines().some((l) => l.requestId === undefined));
    for (const line of lines()) assert.equal(line.node, 'replica-a', JSON.stringify(line));
    assert.ok(!server!.output().includes(TEST_API_KEY), 'the API key reached the logs');
  });

  it('logs an error response with the id the body carries', async () => {
    const res = await fetch(`${server!.url}/api/sessions/none-such`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    assert.equal(res.status, 404);
    const body = (await res.json()) as { requestId: string };
    await waitFor(() => lines().some((l) => l.requestId === body.requestId && l.res?.statusCode === 404), { what: 'the 404 log line' });
  });
});
