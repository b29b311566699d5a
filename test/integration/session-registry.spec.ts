import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { SessionStatus } from '../../src/sessions/session-status';
import { DisconnectReason } from '../../src/whatsapp/engine/engine-events';
import { EventBus } from '../../src/events/event-bus';
import type { DomainEventOf } from '../../src/events/domain-events';
import { FakeEngineFactory, type FakeWhatsAppEngine } from '../fakes/fake-whatsapp.engine';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { holds } from '../support/wait';

/**
 * The live runtime's reconnect rules, serialization and boot/shutdown, and the session store's
 * writes as the resolver sees them, with a hand-driven fake engine behind the port and a real
 * database. Delays are configured down to milliseconds.
 */
describe('SessionRegistry with a fake engine', () => {
  let t: TestApp;
  const engines = new FakeEngineFactory();
  const statusEvents: DomainEventOf<'session.status'>[] = [];

  before(async () => {
    engines.onConnect = (e) => e.push({ type: 'connecting', linked: e.connects > 1 });
    t = await startTestApp({
      engineFactory: engines,
      env: {
        WA_ENGINE: 'baileys',
        RECONNECT_BASE_DELAY_MS: '20',
        RECONNECT_MAX_DELAY_MS: '80',
        RECONNECT_MAX_ATTEMPTS: '3',
        REPLACED_RECONNECT_DELAY_MS: '30',
        // Long enough that the check right after READY ("a brief open keeps the counter") holds on a loaded machine.
        RECONNECT_STABLE_AFTER_MS: '2000',
        QR_WAIT_TIMEOUT_MS: '300',
      },
    });
    t.app.get(EventBus).on('session.status', (e) => void statusEvents.push(e));
  });
  after(async () => {
    await t?.destroy();
  });

  async function newSession(): Promise<{ id: string; engine: () => FakeWhatsAppEngine }> {
    const { body } = await api(t).post('/api/sessions').send({}).expect(201);
    const id = body.session.sessionId as string;
    return { id, engine: () => engines.latest(id) };
  }

  const status = async (id: string) => (await api(t).get(`/api/sessions/${id}`).expect(200)).body.session;
  const waitStatus = (id: string, s: SessionStatus, timeoutMs = 3000) =>
    eventually(async () => ((await status(id)).status === s ? status(id) : null), timeoutMs);

  it('handles the 515 restart after pairing by reconnecting at once, then READY with the account', async () => {
    const { id, engine } = await newSession();
    engine().push({ type: 'qr', qr: 'ref,1,2,3' });
    engine().push({ type: 'close', reason: DisconnectReason.RESTART_REQUIRED, code: 515 });
    await eventually(async () => engine().connects === 2);
    engine().open({ mobileNumber: '15550002222', mobid: '200000000000002' });
    const s = await waitStatus(id, SessionStatus.READY);
    assert.equal(s.mobile_number, '15550002222');
    assert.equal(s.mobid, '200000000000002');
    assert.equal(s.health.reconnectAttempts, 0);
    const ours = statusEvents.filter((e) => e.sessionId === id).map((e) => e.status);
    assert.deepEqual(ours.slice(-2), [SessionStatus.CONNECTING, SessionStatus.READY]);
  });

  it('reconnects with backoff after a transient drop, and READY again', async () => {
    const { id, engine } = await newSession();
    engine().open();
    await waitStatus(id, SessionStatus.READY);
    engine().push({ type: 'close', reason: DisconnectReason.CONNECTION_LOST, code: 408 });
    // DISCONNECTED lasts only the backoff (tens of ms here): read it from the status history.
    const history = async () => (await api(t).get(`/api/sessions/${id}/status-history`).expect(200)).body.history;
    const change = await eventually(async () =>
      (await history()).find((h: { status: string; reason: string }) => h.status === 'DISCONNECTED' && h.reason === 'CONNECTION_LOST'),
    );
    assert.ok(change);
    assert.equal(t.registry.liveState(id)?.attempts, 1);
    await eventually(async () => engine().connects === 2);
    engine().open();
    const ready = await waitStatus(id, SessionStatus.READY);
    assert.equal(ready.health.lastError, null);
    // The attempt counter survives a brief open and resets only once the link is stable.
    assert.equal(t.registry.liveState(id)?.attempts, 1);
    await eventually(async () => t.registry.liveState(id)?.attempts === 0, 2000);
  });

  it('gives up after the configured attempts without a storm', async () => {
    const { id, engine } = await newSession();
    for (let i = 1; i <= 3; i++) {
      engine().push({ type: 'close', reason: DisconnectReason.BAD_SESSION, code: 500 });
      await eventually(async () => engine().connects === i + 1);
    }
    engine().push({ type: 'close', reason: DisconnectReason.BAD_SESSION, code: 500 });
    const s = await waitStatus(id, SessionStatus.INACTIVE);
    assert.equal(s.health.lastError, 'RECONNECT_ATTEMPTS_EXHAUSTED');
    await holds(() => engine().connects === 4, { what: 'no connect after giving up' });
  });

  it('marks a session unlinked from the phone LOGGED_OUT, wipes credentials, never reconnects', async () => {
    const { id, engine } = await newSession();
    await t.dataSource.query(`INSERT INTO wa_auth_key (session_id, type, key_id, value) VALUES ($1, 'creds', 'creds', '{}')`, [id]);
    engine().open();
    await waitStatus(id, SessionStatus.READY);
    engine().push({ type: 'close', reason: DisconnectReason.LOGGED_OUT, code: 401 });
    const s = await waitStatus(id, SessionStatus.LOGGED_OUT);
    assert.equal(s.active, false);
    await eventually(async () => (await t.dataSource.query('SELECT 1 FROM wa_auth_key WHERE session_id = $1', [id])).length === 0);
    await holds(() => engine().connects === 1, { what: 'no reconnect after LOGGED_OUT' });
    assert.equal(t.registry.liveState(id), null);
  });

  it('reconnects once after the connection is replaced, then stops', async () => {
    const { id, engine } = await newSession();
    engine().open();
    await waitStatus(id, SessionStatus.READY);
    engine().push({ type: 'close', reason: DisconnectReason.CONNECTION_REPLACED, code: 440 });
    await eventually(async () => engine().connects === 2);
    engine().open();
    engine().push({ type: 'close', reason: DisconnectReason.CONNECTION_REPLACED, code: 440 });
    const s = await waitStatus(id, SessionStatus.INACTIVE);
    assert.equal(s.health.lastError, 'CONNECTION_REPLACED');
    await holds(() => engine().connects === 2, { what: 'no second reconnect after CONNECTION_REPLACED' });
  });

  it('stops an unlinked session whose QR expired, and GET qr starts it again', async () => {
    const { id, engine } = await newSession();
    engine().push({ type: 'close', reason: DisconnectReason.QR_EXPIRED, code: 408 });
    const s = await waitStatus(id, SessionStatus.INACTIVE);
    assert.equal(s.health.lastError, 'QR_EXPIRED');
    engines.onConnect = (e) => {
      e.push({ type: 'connecting', linked: false });
      e.push({ type: 'qr', qr: 'fresh-qr' });
    };
    const qr = await api(t).get(`/api/sessions/${id}/qr`).expect(200);
    assert.equal(qr.body.qr, 'fresh-qr');
    assert.equal(engines.engines.get(id)!.length, 2, 'a new engine was started for the fresh QR');
    engines.onConnect = (e) => e.push({ type: 'connecting', linked: e.connects > 1 });
  });

  it('answers 409 QR_NOT_AVAILABLE when no QR shows up in time', async () => {
    const { id } = await newSession();
    const res = await api(t).get(`/api/sessions/${id}/qr`).expect(409);
    assert.equal(res.body.error.code, 'QR_NOT_AVAILABLE');
  });

  it('serializes lifecycle calls per session, in call order', async () => {
    const { id, engine } = await newSession();
    // Called in one tick: the per-session lock runs them one after the other, in this order.
    await Promise.all([t.registry.restart(id), t.registry.restart(id), t.registry.stop(id)]);
    const all = engines.engines.get(id)!;
    assert.equal(all.length, 3);
    assert.ok(all.every((e) => e.disconnects === 1));
    assert.equal(engine().connects, 1);
    assert.equal((await status(id)).status, SessionStatus.INACTIVE);
    const concurrent = await Promise.all([api(t).post(`/api/sessions/${id}/start`), api(t).post(`/api/sessions/${id}/start`)]);
    assert.deepEqual(concurrent.map((r) => r.status), [200, 200]);
    assert.equal(engines.engines.get(id)!.length, 4, 'start is idempotent: one new engine');
  });

  it('sees a workspace change on the next request: the store forgets the cached lookup', async () => {
    const { id } = await newSession();
    const token = (await api(t).post('/api/auth/tokens').send({ name: 'ws', workspace: 'Cache' }).expect(201)).body.token;
    // Resolved (and cached) while the session is in no workspace.
    assert.equal((await api(t, token).get(`/api/sessions/${id}`).expect(403)).body.error.code, 'FORBIDDEN');
    await api(t).patch(`/api/sessions/${id}/settings`).send({ workspace: 'Cache' }).expect(200);
    assert.equal((await api(t, token).get(`/api/sessions/${id}`).expect(200)).body.session.settings.workspace, 'Cache');
    await api(t).patch(`/api/sessions/${id}/settings`).send({ workspace: null }).expect(200);
    await api(t, token).get(`/api/sessions/${id}`).expect(403);
  });

  it('closes sockets without logging out on shutdown, and restores them at boot', async () => {
    const { id, engine } = await newSession();
    engine().open();
    await waitStatus(id, SessionStatus.READY);
    const before = engine();
    await t.close();
    assert.equal(before.logouts, 0);
    assert.equal(before.disconnects, 1);
    t = await startTestApp({
      engineFactory: engines,
      database: t.database,
      dataDir: t.dataDir,
      env: { WA_ENGINE: 'baileys' },
    });
    await t.registry.whenRestored();
    const restored = engines.latest(id);
    assert.notEqual(restored, before);
    assert.equal(restored.connects, 1);
    const history = (await api(t).get(`/api/sessions/${id}/status-history`).expect(200)).body.history;
    assert.equal(history.find((h: { status: string }) => h.status === 'DISCONNECTED').reason, 'SERVER_SHUTDOWN');
  });

  it('refuses to run a session on an engine the server is not configured for', async () => {
    const { body } = await api(t).post('/api/sessions').send({}).expect(201);
    await t.dataSource.query(`UPDATE session SET engine = 'sandbox' WHERE id = $1`, [body.session.sessionId]);
    const res = await api(t).post(`/api/sessions/${body.session.sessionId}/restart`).expect(409);
    assert.equal(res.body.error.code, 'ENGINE_UNSUPPORTED');
    const sandbox = await api(t).post(`/api/sessions/${body.session.sessionId}/sandbox/link`).send({}).expect(409);
    assert.equal(sandbox.body.error.code, 'SESSION_INACTIVE');
  });
});
