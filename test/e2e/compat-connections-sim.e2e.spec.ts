import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from '../support/node-test';
import { api } from '../support/http';
import { simulatorEnv } from '../support/simulator-env';
import { startTestApp, type TestApp } from '../support/test-app';
import { holds, waitFor } from '../support/wait';
import { startSimulator } from '../wa-sim/fixtures';
import type { WaSimulator } from '../wa-sim/wa-simulator';

const BASE = '/compat/connections/api/v1';
const SECRET = 'connections-gateway-secret-0001';

/**
 * The connections API with real Baileys against the loopback WhatsApp simulator: request,
 * scan, activate, send (the contact decrypts it, delivered), log out and back in with the
 * stored credentials, and an unlink from the phone that leaves the connection stale without
 * reconnect attempts.
 */
describe('Connections API with real Baileys (loopback WhatsApp simulator)', () => {
  let sim: WaSimulator;
  let stopSim: (() => Promise<void>) | undefined;
  let t: TestApp;

  before(async () => {
    ({ sim, close: stopSim } = await startSimulator({ autoReceipts: { delivery: true, read: false } }));
    t = await startTestApp({ env: { ...simulatorEnv(sim.url), GATEWAY_JWT_SECRET: SECRET } });
  });
  after(async () => {
    await t?.destroy();
    await stopSim?.();
  });

  const PHONE = '15557300001';
  let token: string;
  let sessionId: string;
  const status = async () => (await api(t, token).get(`${BASE}/connections/status`).expect(200)).body.data;
  const statusIs = (socketStatus: string) => waitFor(async () => ((await status()).socketStatus === socketStatus ? status() : null), { what: `socketStatus ${socketStatus}` });
  const history = async () =>
    (await api(t).get(`/api/sessions/${sessionId}/status-history`).expect(200)).body.history.map((h: { status: string }) => h.status).reverse() as string[];

  it('requests a connection, links it by scanning the QR and activates it', async () => {
    const res = await api(t).post(`${BASE}/connections/request`).send({ customerId: 'sim-customer', customerName: 'Sim Customer' }).expect(201);
    const { connection, auth } = res.body.data;
    assert.equal(connection.status, 'pending_qr');
    assert.match(auth.qrCodeDataUrl, /^data:image\/png;base64,/);
    token = auth.connectionToken;
    sessionId = connection.sessionId;
    const [h, p, s] = token.split('.');
    assert.equal(createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url'), s, 'signed with GATEWAY_JWT_SECRET');

    // The QR string behind the data URL, as the phone's camera would read it.
    const qr = (await api(t).get(`/api/sessions/${sessionId}/qr`).expect(200)).body.qr;
    await sim.scan(qr, PHONE);
    const linked = await statusIs('connected');
    assert.equal(linked.isReachable, true);
    assert.equal(linked.mobileNumber, `+${PHONE}`);
    const activated = await api(t, token).post(`${BASE}/connections/activate`).send({}).expect(200);
    assert.equal(activated.body.data.connection.status, 'connected');
    assert.equal(activated.body.data.connection.mobileNumber, `+${PHONE}`);
  });

  it('sends a message the contact decrypts, and reports it delivered', async () => {
    const alice = sim.addContact('15557300101', 'Alice');
    const res = await api(t, token).post(`${BASE}/messages/send`).send({ mobileNumber: `+${alice.phoneNumber}`, message: 'Hello from the connections API' }).expect(200);
    const got = await sim.waitForMessage((m) => m.id === res.body.data.waMessageId, 15_000);
    assert.equal(got.text, 'Hello from the connections API');
    assert.equal(got.to, alice.phoneNumber);
    const m = await waitFor(
      async () => {
        const d = (await api(t, token).get(`${BASE}/messages/${res.body.data.messageId}`).expect(200)).body.data;
        return d.status === 'DELIVERED' ? d : null;
      },
      { what: 'delivered' },
    );
    assert.ok(m.deliveredAt);
  });

  it('logout keeps the credentials: activate reconnects without a new QR', async () => {
    const out = await api(t, token).post(`${BASE}/connections/logout`).send({}).expect(200);
    assert.equal(out.body.data.connection.status, 'stale');
    assert.equal((await status()).isReachable, false);
    await api(t, token).post(`${BASE}/connections/activate`).send({}).expect(200);
    const back = await statusIs('connected');
    assert.equal(back.mobileNumber, `+${PHONE}`);
    assert.equal(back.qrCodeDataUrl, null);
  });

  it('an unlink from the phone makes it stale, with no reconnect attempts; activate starts a fresh QR', async () => {
    sim.unlink(PHONE);
    const stale = await statusIs('stale');
    assert.equal(stale.isReachable, false);
    assert.equal(stale.mobileNumber, null);
    const native = (await api(t).get(`/api/sessions/${sessionId}`).expect(200)).body.session;
    assert.equal(native.status, 'LOGGED_OUT');
    const seen = await history();
    assert.equal(seen.at(-1), 'LOGGED_OUT');
    await holds(
      async () => {
        const now = await history();
        return now.length === seen.length && t.registry.liveState(sessionId) === null;
      },
      { for: 1500, what: 'no reconnect after the unlink' },
    );
    assert.equal((await status()).socketStatus, 'stale');
    assertError((await api(t, token).post(`${BASE}/messages/send`).send({ mobileNumber: '+15557300101', message: 'x' }).expect(403)).body, 'CONNECTION_STALE');

    const relink = await api(t, token).post(`${BASE}/connections/activate`).send({}).expect(200);
    assert.equal(relink.body.data.connection.status, 'pending_qr');
    assert.match(relink.body.data.qrCodeDataUrl, /^data:image\/png;base64,/);
  });
});

function assertError(body: Record<string, unknown>, code: string): void {
  assert.equal(body.success, false);
  assert.equal(body.code, code);
  assert.equal(typeof body.error, 'string');
}
