import assert from 'node:assert/strict';
import * as QRCode from 'qrcode';
import { after, before, describe, it } from '../support/node-test';
import { startSimulator } from '../wa-sim/fixtures';
import type { WaSimulator } from '../wa-sim/wa-simulator';
import { api } from '../support/http';
import { simulatorEnv } from '../support/simulator-env';
import { startTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/**
 * The WA Gateway's API with real Baileys against the loopback WhatsApp simulator: a session
 * created by name is linked with its QR, a message to a contact who never wrote in waits for
 * their YES to the bilingual prompt, then reaches their phone and is delivered.
 */
describe('WA Gateway API through Baileys (loopback WhatsApp simulator)', () => {
  let sim: WaSimulator;
  let stopSim: (() => Promise<void>) | undefined;
  let t: TestApp;
  const SECRET = 'existing-gateway-api-secret-sim';
  const ACCOUNT = '9613000001';
  const gw = (method: 'get' | 'post', path: string) => api(t, null).raw[method](`/compat/gateway${path}`).set('X-API-Key', SECRET);

  before(async () => {
    ({ sim, close: stopSim } = await startSimulator({ autoReceipts: { delivery: true, read: false } }));
    t = await startTestApp({ env: simulatorEnv(sim.url, { DEFAULT_COUNTRY: 'IN' }) });
    await api(t).post('/api/auth/tokens').send({ name: 'PHP dashboard', api: 'gateway', secret: SECRET }).expect(201);
  });
  after(async () => {
    await t?.destroy();
    await stopSim?.();
  });

  it('creates a session by name, links it by QR, holds a message until the contact says YES, then delivers it', async () => {
    const created = await gw('post', '/api/sessions').send({ name: 'support' }).expect(200);
    assert.equal(created.body.success, true);
    const { body } = await api(t).get('/api/sessions?q=support').expect(200);
    const sessionId = body.sessions.find((s: { name: string }) => s.name === 'support').sessionId as string;
    assert.equal(body.sessions[0].settings.minDelayMs, 8000);

    // The dashboard shows the QR; the phone scans it.
    const qr = await api(t).get(`/api/sessions/${sessionId}/qr`).expect(200);
    assert.match(qr.body.qrCodeDataUrl, /^data:image\/png;base64,/);
    await sim.scan(qr.body.qr, ACCOUNT);
    const online = await waitFor(
      async () => ((await gw('get', '/api/sessions').expect(200)).body as { name: string; status: string; phone: string | null; last_seen: string | null }[]).find((s) => s.name === 'support' && s.status === 'online'),
      { what: 'support online' },
    );
    assert.equal(online.phone, ACCOUNT);
    assert.match(online.last_seen!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // The 8–22 s throttle is the session's pacing setting; the operator turns it off for this test.
    await api(t).patch(`/api/sessions/${sessionId}/settings`).send({ preset: 'off' }).expect(200);

    const contact = sim.addContact('9617100001', 'Rana');
    const sent = await gw('post', '/api/send').send({ phone: contact.phoneNumber, message: 'Your order is ready', session: 'support' }).expect(200);
    const number = sent.body.message_id as number;
    assert.ok(Number.isInteger(number));
    const held = await waitFor(
      async () => {
        const m = (await api(t).get(`/api/messages/${number}`).expect(200)).body.message;
        return m.heldReason === 'NOT_OPTED_IN' ? m : null;
      },
      { what: 'held for opt-in' },
    );
    assert.equal(held.status, 'QUEUED');
    assert.equal(held.chat, `${contact.phoneNumber}@s.whatsapp.net`);

    await sim.contactSend(contact.phoneNumber, ACCOUNT, 'hello?');
    const prompt = await sim.waitForMessage((m) => m.direction === 'out' && m.to === contact.phoneNumber, 15_000);
    assert.match(prompt.text ?? '', /Reply 1 or YES/);
    assert.match(prompt.text ?? '', /نعم/);

    await sim.contactSend(contact.phoneNumber, ACCOUNT, 'YES');
    const got = await sim.waitForMessage((m) => m.direction === 'out' && m.to === contact.phoneNumber && m.text === 'Your order is ready', 15_000);
    assert.equal(got.id, held.waMessageId);
    await waitFor(async () => (await api(t).get(`/api/messages/${number}`).expect(200)).body.message.status === 'DELIVERED', { what: 'delivered' });

    const status = await gw('get', '/api/sessions').expect(200);
    assert.deepEqual(
      status.body.map((s: { name: string; status: string }) => [s.name, s.status]),
      [
        ['default', 'connecting'],
        ['support', 'online'],
      ],
    );
  });
});
