import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { startSimulator } from '../wa-sim/fixtures';
import type { WaSimulator } from '../wa-sim/wa-simulator';
import { api } from '../support/http';
import { simulatorEnv } from '../support/simulator-env';
import { startTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const BASE = '/compat/phones/api/v1';

/**
 * The phones manager API with the real Baileys engine against the loopback WhatsApp
 * simulator: a phone added and paired with a pairing code, a message to a contact, delivered.
 */
describe('Phones manager API through Baileys (loopback WhatsApp simulator)', () => {
  let sim: WaSimulator;
  let stopSim: (() => Promise<void>) | undefined;
  let t: TestApp;
  let token = '';
  const PHONE = '15557310001';

  before(async () => {
    ({ sim, close: stopSim } = await startSimulator({ autoReceipts: { delivery: true, read: false } }));
    t = await startTestApp({ env: simulatorEnv(sim.url) });
    await api(t).post(`${BASE}/auth/change-password`).send({ newPassword: 'sim-phones-password' }).expect(200);
    const login = await api(t, null).post(`${BASE}/auth/generate-token`).send({ password: 'sim-phones-password' });
    assert.equal(login.status, 401, 'generate-token needs a login first');
    const jwt = (await api(t, null).post(`${BASE}/auth/login`).send({ password: 'sim-phones-password' }).expect(200)).body.data.token;
    token = (await api(t, jwt).post(`${BASE}/auth/generate-token`).send({ password: 'sim-phones-password' }).expect(200)).body.token;
  });
  after(async () => {
    await t?.destroy();
    await stopSim?.();
  });

  it('pairs a phone with a pairing code, sends a message and sees it delivered', async () => {
    await api(t, token).post(`${BASE}/user/phones`).send({ phone: `+${PHONE}` }).expect(201);
    const connect = await api(t, token).post(`${BASE}/user/phones/${PHONE}/connect`).send({ pairingCodeMode: true }).expect(200);
    assert.equal(connect.body.data.status, 'pairing');
    assert.equal(typeof connect.body.data.pairingCode, 'string');
    await sim.pair(connect.body.data.pairingCode, PHONE);
    await waitFor(
      async () => (await api(t, token).get(`${BASE}/user/phones`).expect(200)).body.data.phones.find((p: { phone: string; status: string }) => p.phone === PHONE && p.status === 'connected'),
      { timeout: 20_000, what: 'phone connected' },
    );

    const alice = sim.addContact('15557410001', 'Alice');
    const exists = await api(t, token).post(`${BASE}/user/phones/${PHONE}/has-whatsapp`).send({ recipient: alice.phoneNumber }).expect(200);
    assert.equal(exists.body.data.exists, true);
    const sent = await api(t, token).post(`${BASE}/user/phones/${PHONE}/message`).send({ recipient: `+${alice.phoneNumber}`, message: 'Hello from the phones API' }).expect(202);
    const got = await sim.waitForMessage((m) => m.id === sent.body.data.messageId, 15_000);
    assert.equal(got.text, 'Hello from the phones API');
    assert.equal(got.to, alice.phoneNumber);

    const delivered = await waitFor(
      async () => {
        const page = (await api(t, token).get(`${BASE}/user/phones/${PHONE}/messages`).query({ recipient: alice.phoneNumber }).expect(200)).body.data;
        const m = page.messages.find((x: { id: string }) => x.id === sent.body.data.id);
        return m?.status === 'DELIVERED' ? m : null;
      },
      { timeout: 20_000, what: 'message delivered' },
    );
    assert.equal(typeof delivered.deliveredAt, 'string');
  });
});
