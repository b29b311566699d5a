import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { startSimulator } from '../wa-sim/fixtures';
import type { WaSimulator } from '../wa-sim/wa-simulator';
import { simulatorEnv } from '../support/simulator-env';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * `whatsapp_business_profile` through the real Baileys engine against the loopback WhatsApp
 * simulator: the about text a CRM sets is what WhatsApp stores for the account, and what the
 * facade reads back from WhatsApp.
 */
describe('Cloud API business profile through Baileys (loopback WhatsApp simulator)', () => {
  let sim: WaSimulator;
  let stopSim: (() => Promise<void>) | undefined;
  let t: TestApp;
  let sessionId: string;
  const PHONE = '15557600001';

  before(async () => {
    ({ sim, close: stopSim } = await startSimulator());
    t = await startTestApp({ env: simulatorEnv(sim.url) });
    const { body } = await api(t).post('/api/sessions').send({ name: 'profile' }).expect(201);
    sessionId = body.session.sessionId;
    const qr = await api(t).get(`/api/sessions/${sessionId}/qr`).expect(200);
    await sim.scan(qr.body.qr, PHONE);
    await eventually(async () => (await api(t).get(`/api/sessions/${sessionId}`).expect(200)).body.session.status === 'READY', 15_000);
  });
  after(async () => {
    await t?.destroy();
    await stopSim?.();
  });

  it('reads the about text from WhatsApp, sets it, and reads the new one back; business fields are refused on a personal account', async () => {
    const before = await api(t).get(`/v21.0/${PHONE}/whatsapp_business_profile`).expect(200);
    assert.deepEqual(before.body, { data: [{ about: 'Hey there! I am using WhatsApp.', messaging_product: 'whatsapp' }] });

    const set = await api(t).post(`/v21.0/${PHONE}/whatsapp_business_profile`).send({ messaging_product: 'whatsapp', about: 'Open 9–5 ✓' }).expect(200);
    assert.deepEqual(set.body, { success: true });
    assert.equal(sim.directory.account(PHONE)?.about, 'Open 9–5 ✓', 'WhatsApp stored the text the device sent');

    const after = await api(t).get(`/v21.0/${PHONE}/whatsapp_business_profile?fields=about`).expect(200);
    assert.deepEqual(after.body, { data: [{ about: 'Open 9–5 ✓', messaging_product: 'whatsapp' }] });

    const business = await api(t).post(`/v21.0/${PHONE}/whatsapp_business_profile`).send({ messaging_product: 'whatsapp', description: 'Shop' }).expect(400);
    assert.equal(business.body.error.code, 100);
    assert.match(business.body.error.error_data.details, /WhatsApp Business account only/);
    assert.deepEqual(sim.errors.list(), [], 'every stanza was one the simulator knows');
  });
});
