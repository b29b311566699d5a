import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { startSimulator, type SimFixture } from '../wa-sim/fixtures';
import { WaSimulator } from '../wa-sim/wa-simulator';
import { api, eventually } from '../support/http';
import { simulatorEnv } from '../support/simulator-env';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The WhatsApp server is authenticated by its Noise certificate chain (Baileys patched at
 * install, docs/baileys-patches.md). A server whose chain comes from another root key (a
 * machine in the middle) is refused before anything is sent to it; the server with the
 * trusted root links as usual.
 */
describe('Noise server certificate: only the trusted root is accepted (real Baileys)', () => {
  let trusted: SimFixture;
  let impostor: WaSimulator;
  const apps: TestApp[] = [];

  before(async () => {
    // This process trusts `trusted`'s root key, as the gateway trusts WhatsApp's.
    trusted = await startSimulator();
    impostor = new WaSimulator({ logErrors: false });
    await impostor.start();
    assert.notEqual(impostor.rootPublicKey, trusted.sim.rootPublicKey);
  });
  after(async () => {
    for (const app of apps) await app.destroy();
    await impostor?.stop();
    await trusted?.close();
  });

  const boot = async (url: string) => {
    const app = await startTestApp({ env: simulatorEnv(url, { QR_WAIT_TIMEOUT_MS: '1500' }) });
    apps.push(app);
    return app;
  };
  const sessionOf = async (t: TestApp, id: string) => (await api(t).get(`/api/sessions/${id}`).expect(200)).body.session;

  it('refuses a server whose certificate chain comes from another root: no QR, a clear close reason', async () => {
    const t = await boot(impostor.url);
    const { body } = await api(t).post('/api/sessions').send({ name: 'mitm' }).expect(201);
    const id = body.session.sessionId;
    const qr = await api(t).get(`/api/sessions/${id}/qr`).expect(409);
    assert.equal(qr.body.error.code, 'QR_NOT_AVAILABLE');
    const session = await eventually(async () => {
      const s = await sessionOf(t, id);
      return s.health.lastError ? s : null;
    }, 10_000);
    assert.equal(session.health.lastError, 'SERVER_NOT_TRUSTED: noise intermediate certificate signature invalid');
    assert.notEqual(session.status, 'READY');
    assert.equal(impostor.accounts().length, 0, 'nothing registered with the impostor');
  });

  it('accepts the server with the trusted root: links by QR and is READY', async () => {
    const t = await boot(trusted.sim.url);
    const { body } = await api(t).post('/api/sessions').send({ name: 'real' }).expect(201);
    const id = body.session.sessionId;
    const qr = await api(t).get(`/api/sessions/${id}/qr`).expect(200);
    await trusted.sim.scan(qr.body.qr, '15558200001');
    await eventually(async () => (await sessionOf(t, id)).status === 'READY', 10_000);
  });
});
