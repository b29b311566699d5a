import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';

/**
 * The sessions API end to end on the sandbox engine, over real HTTP, on PostgreSQL
 * (DATABASE_URL) and on the embedded PGlite default.
 */
for (const kind of testDatabaseKinds()) describe(`Sessions API (sandbox engine, ${kind})`, () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ database: await createTestDatabase(kind) });
  });
  after(async () => {
    await t?.destroy();
  });

  async function createLinked(phoneNumber: string) {
    const created = await api(t).post('/api/sessions').send({ name: 'linked' }).expect(201);
    const id = created.body.session.sessionId;
    await api(t).post(`/api/sessions/${id}/sandbox/link`).send({ phoneNumber }).expect(200);
    return id as string;
  }

  it('creates a session in the published shape', async () => {
    const res = await api(t).post('/api/sessions').send({ name: 'Support' }).expect(201);
    assert.equal(res.body.success, true);
    assert.equal(res.body.message, 'Session initialized');
    assert.match(res.body.session.sessionId, /^qr_\d{13}_[0-9a-f]{8}$/);
    assert.equal(res.body.session.status, 'REGISTERING');
    assert.equal(res.body.session.method, 'qr');
    assert.equal(res.body.session.engine, 'sandbox');
  });

  it('serves the QR as JSON and PNG, then links and answers 409 for the QR', async () => {
    const { body } = await api(t).post('/api/sessions').send({}).expect(201);
    const id = body.session.sessionId;
    const qr = await api(t).get(`/api/sessions/${id}/qr`).expect(200);
    assert.equal(qr.body.success, true);
    assert.match(qr.body.qr, /^https:\/\/wa\.me\/settings\/linked_devices#/);
    assert.match(qr.body.qrCodeDataUrl, /^data:image\/png;base64,/);
    assert.equal(qr.headers['cache-control'], 'no-store');

    const png = await api(t).get(`/api/sessions/${id}/qr?format=png`).buffer(true).expect(200);
    assert.equal(png.headers['content-type'], 'image/png');
    assert.deepEqual([...png.body.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

    const linked = await api(t).post(`/api/sessions/${id}/sandbox/link`).send({ phoneNumber: '+91 98765 43210' }).expect(200);
    assert.equal(linked.body.session.status, 'READY');
    assert.equal(linked.body.session.mobile_number, '919876543210');
    assert.match(linked.body.session.mobid, /^\d{15}$/);

    const conflict = await api(t).get(`/api/sessions/${id}/qr`).expect(409);
    assert.equal(conflict.body.error.code, 'SESSION_ALREADY_LINKED');
  });

  it('lists sessions and shows info with health and settings', async () => {
    const id = await createLinked('447700900001');
    const list = await api(t).get('/api/sessions').expect(200);
    assert.equal(list.body.success, true);
    const row = list.body.sessions.find((s: { sessionId: string }) => s.sessionId === id);
    assert.equal(row.status, 'READY');
    assert.equal(row.mobile_number, '447700900001');
    assert.ok(row.createdAt);

    const info = await api(t).get(`/api/sessions/${id}`).expect(200);
    assert.equal(info.body.session.engine, 'sandbox');
    assert.ok(info.body.session.health.connectedSince);
    assert.equal(info.body.session.health.lastError, null);
    assert.equal(info.body.session.health.reconnectAttempts, 0);
    const { workspace, minDelayMs, maxDelayMs, dailyLimit, requireOptIn, rejectCalls, mediaDownload } = info.body.session.settings;
    assert.deepEqual(
      { workspace, minDelayMs, maxDelayMs, dailyLimit, requireOptIn, rejectCalls, mediaDownload },
      { workspace: null, minDelayMs: 2000, maxDelayMs: 5000, dailyLimit: null, requireOptIn: false, rejectCalls: false, mediaDownload: 'lazy' },
    );

    const filtered = await api(t).get('/api/sessions?status=READY&q=447700900001').expect(200);
    assert.deepEqual(filtered.body.sessions.map((s: { sessionId: string }) => s.sessionId), [id]);
  });

  it('resolves a session by id, mobile number in any format, or mobid', async () => {
    const id = await createLinked('919812345678');
    const { body } = await api(t).get(`/api/sessions/${id}`).expect(200);
    for (const ref of ['919812345678', '+91 98123 45678', encodeURIComponent('+91-98123-45678'), body.session.mobid]) {
      const res = await api(t).get(`/api/sessions/${ref}`).expect(200);
      assert.equal(res.body.session.sessionId, id, `ref ${ref}`);
    }
    const missing = await api(t).get('/api/sessions/qr_0_deadbeef').expect(404);
    assert.equal(missing.body.error.code, 'SESSION_NOT_FOUND');
  });

  it('pairs with a code for method phone', async () => {
    const res = await api(t).post('/api/sessions').send({ method: 'phone', phoneNumber: '+1 415 555 2671' }).expect(201);
    const id = res.body.session.sessionId;
    assert.match(id, /^phone_/);
    const code = await api(t).get(`/api/sessions/${id}/qr`).expect(200);
    assert.equal(code.body.method, 'phone');
    assert.match(code.body.pairingCode, /^[0-9A-F]{8}$/);
    const linked = await api(t).post(`/api/sessions/${id}/sandbox/link`).send({}).expect(200);
    assert.equal(linked.body.session.mobile_number, '14155552671');
    const missingNumber = await api(t).post('/api/sessions').send({ method: 'phone' }).expect(400);
    assert.equal(missingNumber.body.error.code, 'VALIDATION_FAILED');
  });

  it('restarts, stops, starts, logs out and relinks', async () => {
    const id = await createLinked('15550100001');
    const restarted = await api(t).post(`/api/sessions/${id}/restart`).expect(200);
    assert.equal(restarted.body.success, true);
    await eventually(async () => (await api(t).get(`/api/sessions/${id}`)).body.session.status === 'READY');

    const stopped = await api(t).post(`/api/sessions/${id}/stop`).expect(200);
    assert.equal(stopped.body.session.status, 'INACTIVE');
    assert.equal(stopped.body.session.active, false);
    await api(t).post(`/api/sessions/${id}/start`).expect(200);
    await eventually(async () => (await api(t).get(`/api/sessions/${id}`)).body.session.status === 'READY');

    const loggedOut = await api(t).post(`/api/sessions/${id}/logout`).expect(200);
    assert.equal(loggedOut.body.session.status, 'LOGGED_OUT');
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM wa_auth_key WHERE session_id = $1', [id]);
    assert.equal(n, 0);

    await api(t).post(`/api/sessions/${id}/relink`).expect(200);
    const qr = await api(t).get(`/api/sessions/${id}/qr`).expect(200);
    assert.ok(qr.body.qr);

    const history = await api(t).get(`/api/sessions/${id}/status-history`).expect(200);
    const statuses = history.body.history.map((h: { status: string }) => h.status);
    assert.ok(statuses.includes('LOGGED_OUT') && statuses.includes('INACTIVE') && statuses.includes('READY'));
  });

  it('deletes a session: logs out, wipes credentials, marks it inactive', async () => {
    const id = await createLinked('15550100002');
    const res = await api(t).delete(`/api/sessions/${id}`).expect(200);
    assert.deepEqual(res.body, { success: true, message: 'Session deleted and logged out successfully' });
    const info = await api(t).get(`/api/sessions/${id}`).expect(200);
    assert.equal(info.body.session.status, 'INACTIVE');
    assert.equal(info.body.session.active, false);
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM wa_auth_key WHERE session_id = $1', [id]);
    assert.equal(n, 0);
  });

  it('takes sandbox inbound messages and refuses sandbox routes on unlinked sessions', async () => {
    const id = await createLinked('15550100003');
    const res = await api(t).post(`/api/sessions/${id}/sandbox/inbound`).send({ from: '+1 555 010 0999', text: 'hi' }).expect(202);
    assert.match(res.body.message.id, /^SANDBOX/);
    const { body } = await api(t).post('/api/sessions').send({}).expect(201);
    const notLinked = await api(t).post(`/api/sessions/${body.session.sessionId}/sandbox/inbound`).send({ from: '15550100999', text: 'x' }).expect(409);
    assert.equal(notLinked.body.error.code, 'SESSION_NOT_READY');
  });

  it('answers bad input with 4xx and a machine-readable code', async () => {
    const unknown = await api(t).post('/api/sessions').send({ name: 'x', color: 'red' }).expect(400);
    assert.equal(unknown.body.success, false);
    assert.equal(unknown.body.error.code, 'VALIDATION_FAILED');
    assert.deepEqual(unknown.body.error.details.fields[0].field, 'color');
    assert.ok(unknown.body.requestId);

    const badMethod = await api(t).post('/api/sessions').send({ method: 'fax' }).expect(400);
    assert.equal(badMethod.body.error.details.fields[0].field, 'method');

    const malformed = await api(t).post('/api/sessions').set('Content-Type', 'application/json').send('{"name":').expect(400);
    assert.equal(malformed.body.error.code, 'MALFORMED_JSON');

    const huge = await api(t).post('/api/sessions').set('Content-Type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(2_000_000) })).expect(413);
    assert.equal(huge.body.error.code, 'PAYLOAD_TOO_LARGE');

    const badFormat = await api(t).get('/api/sessions/anything/qr?format=gif').expect(400);
    assert.equal(badFormat.body.error.code, 'VALIDATION_FAILED');

    const route = await api(t).get('/api/nope').expect(404);
    assert.equal(route.body.error.code, 'ROUTE_NOT_FOUND');
  });

  it('echoes a request id header and uses it in error bodies', async () => {
    const res = await api(t).get('/api/sessions/none').set('X-Request-Id', 'trace-abc-123').expect(404);
    assert.equal(res.headers['x-request-id'], 'trace-abc-123');
    assert.equal(res.body.requestId, 'trace-abc-123');
  });
});
