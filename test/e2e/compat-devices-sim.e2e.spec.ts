import assert from 'node:assert/strict';
import * as QRCode from 'qrcode';
import request from 'supertest';
import { after, before, describe, it } from '../support/node-test';
import { api, eventually } from '../support/http';
import { getMessage } from '../support/factories';
import { simulatorEnv } from '../support/simulator-env';
import { startTestApp, type TestApp } from '../support/test-app';
import { startSimulator } from '../wa-sim/fixtures';
import type { WaSimulator } from '../wa-sim/wa-simulator';

const BASE = '/compat/devices/api';
const DEVICES_KEY = 'existing-devices-apikey-0002';
const PHONE = '15557310001';

/**
 * The device-token gateway API with the real Baileys engine against the loopback WhatsApp
 * simulator: a client's start → qrcode → scan → send reaches the contact's phone and comes back
 * delivered.
 */
describe('Device-token gateway API through Baileys (loopback WhatsApp simulator)', () => {
  let sim: WaSimulator;
  let stopSim: (() => Promise<void>) | undefined;
  let t: TestApp;
  const dev = {
    get: (path: string) => request(t.url).get(`${BASE}${path}`).set('apikey', DEVICES_KEY),
    post: (path: string) => request(t.url).post(`${BASE}${path}`).set('apikey', DEVICES_KEY),
  };

  before(async () => {
    ({ sim, close: stopSim } = await startSimulator({ autoReceipts: { delivery: true, read: false } }));
    t = await startTestApp({ env: simulatorEnv(sim.url) });
    await api(t).post('/api/auth/tokens').send({ name: 'devices client', api: 'devices', secret: DEVICES_KEY }).expect(201);
  });
  after(async () => {
    await t?.destroy();
    await stopSim?.();
  });

  it('start → qrcode → the phone scans it → send reaches the contact and is delivered', async () => {
    assert.equal((await dev.post('/start').send({ token: 'sim-shop' }).expect(200)).body.status, true);

    // The data URL is the PNG of the QR Baileys shows (the native route gives its text to scan).
    const { body: sessions } = await api(t).get('/api/sessions?q=sim-shop').expect(200);
    const sessionId = sessions.sessions[0].sessionId as string;
    const qr = await eventually(async () => {
      const shown = (await dev.post('/qrcode').send({ token: 'sim-shop' }).expect(200)).body;
      const native = (await api(t).get(`/api/sessions/${sessionId}/qr`).expect(200)).body.qr as string;
      return shown.qrcode === (await QRCode.toDataURL(native, { margin: 2, width: 320 })) ? native : null;
    });
    await sim.scan(qr, PHONE);

    const status = await eventually(async () => {
      const res = (await dev.get('/status?token=sim-shop').expect(200)).body;
      return res.message === 'AUTHENTICATED' ? res : null;
    }, 20_000);
    assert.equal(status.status, true);
    assert.equal(status.phone, PHONE);
    assert.equal(status.data.id, `${PHONE}@s.whatsapp.net`);
    assert.match(status.data.lid, /^(\d+@lid)?$/);
    assert.equal(status.pic, '');
    const profile = (await dev.post('/qrcode').send({ token: 'sim-shop' }).expect(200)).body;
    assert.equal(profile.message, 'AUTHENTICATED');
    assert.equal(profile.phone, PHONE);

    const alice = sim.addContact('15557410001', 'Alice');
    const sent = await dev.post('/send').send({ token: 'sim-shop', phone: `+${alice.phoneNumber}`, message: 'Hello from a device token' }).expect(200);
    assert.equal(sent.body.status, true);
    const got = await sim.waitForMessage((m) => m.id === sent.body.data.message_id, 15_000);
    assert.equal(got.text, 'Hello from a device token');
    assert.equal(got.to, alice.phoneNumber);
    const message = await eventually(async () => {
      const m = await getMessage(t, sent.body.data.id);
      return ['DELIVERED', 'READ'].includes(m.status) ? m : null;
    }, 15_000);
    assert.equal(message.waMessageId, sent.body.data.message_id);
  });

  it('pairs with a phone number: the code the API answers links the phone', async () => {
    const phone = '15557310002';
    await dev.post('/start').send({ token: 'sim-pair' }).expect(200);
    const paired = await dev.post('/pairing-code').send({ token: 'sim-pair', phone: `+${phone}` }).expect(200);
    assert.equal(paired.body.status, true);
    assert.equal(paired.body.phone, phone);
    assert.match(paired.body.code, /^[A-Z0-9]{8}$/);
    await sim.pair(paired.body.code, phone);
    const status = await eventually(async () => {
      const res = (await dev.get('/status?token=sim-pair').expect(200)).body;
      return res.message === 'AUTHENTICATED' ? res : null;
    }, 20_000);
    assert.equal(status.phone, phone);
    assert.equal(status.data.id, `${phone}@s.whatsapp.net`);
  });
});
