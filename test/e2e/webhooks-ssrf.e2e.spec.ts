import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { WebhooksService } from '../../src/webhooks/webhooks.service';
import { linkedSandboxSession } from '../support/cloud-api';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { FAST_WEBHOOK_ENV, WebhookReceiver } from '../support/webhook-receiver';
import { createToken } from '../support/factories';

/**
 * Webhook targets are a way into the operator's network (the delivery log shows the first KB
 * of each answer), so a webhook whose URL a session- or workspace-bound token set reaches
 * public addresses only: literal private IPs are refused at creation, hostnames that resolve
 * privately fail at delivery without a request. Admin webhooks keep reaching receivers next
 * door; link-local (cloud metadata) is refused for everyone. WEBHOOK_URL_ALLOWLIST lifts it.
 */
describe('Webhook targets by who set them', () => {
  const apps: TestApp[] = [];
  let receiver: WebhookReceiver;
  let port: string;

  before(async () => {
    receiver = await WebhookReceiver.start();
    port = new URL(receiver.url).port;
  });
  after(async () => {
    await Promise.all(apps.map((a) => a.destroy()));
    await receiver?.close();
  });

  async function setup(env: Record<string, string> = {}, phone = '919800000101') {
    const t = await startTestApp({ env: { ...FAST_WEBHOOK_ENV, ...env } });
    apps.push(t);
    const sessionId = (await linkedSandboxSession(t, phone)).id;
    const token = await createToken(t, { name: 'bound', sessionId });
    const publish = () => t.app.get(WebhooksService).publish({ type: 'contact.opt_in', sessionId, data: { probe: true } });
    const deliveries = async (id: string) => (await api(t).get(`/api/webhooks/${id}/deliveries`).expect(200)).body.deliveries as any[];
    return { t, sessionId, token, publish, deliveries };
  }

  it('refuses literal private addresses from a bound token, and link-local from anyone', async () => {
    const { t, sessionId, token } = await setup();
    for (const host of ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '10.0.0.1', '192.168.1.10', '169.254.169.254', '[fd00:ec2::254]']) {
      const res = await api(t, token).post('/api/webhooks').send({ url: `http://${host}:${port}/hook`, sessionId });
      assert.equal(res.status, 400, `${host}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'WEBHOOK_URL_FORBIDDEN', host);
      const device = await api(t, token).post('/api/webhook').send({ token: sessionId, url: `http://${host}:${port}/hook` });
      assert.equal(device.body.error?.code, 'WEBHOOK_URL_FORBIDDEN', `device webhook ${host}`);
    }
    for (const host of ['169.254.169.254', '[::ffff:169.254.169.254]', '[fd00:ec2::254]', '[fe80::1]']) {
      const res = await api(t).post('/api/webhooks').send({ url: `http://${host}/latest/meta-data/` });
      assert.equal(res.status, 400, `${host}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'WEBHOOK_URL_FORBIDDEN', host);
    }
    // A bound token may not re-point a webhook at a private literal either.
    const own = (await api(t, token).post('/api/webhooks').send({ url: 'https://example.com/hook', sessionId }).expect(201)).body.webhook;
    assert.equal(own.restricted, true);
    const patched = await api(t, token).patch(`/api/webhooks/${own.id}`).send({ url: `http://127.0.0.1:${port}/hook` }).expect(400);
    assert.equal(patched.body.error.code, 'WEBHOOK_URL_FORBIDDEN');
  });

  it('fails deliveries of a bound token’s webhook to a host resolving to loopback, without a request; an admin re-pointing it lifts that', async () => {
    const { t, sessionId, token, publish, deliveries } = await setup({}, '919800000102');
    const before = receiver.requests.length;
    const hook = (await api(t, token).post('/api/webhooks').send({ url: `http://localhost:${port}/bound`, sessionId }).expect(201)).body.webhook;
    assert.equal(hook.restricted, true);
    await publish();
    const [failed] = await eventually(async () => {
      const list = await deliveries(hook.id);
      return list.length && /Target address not allowed/.test(list[0].lastError ?? '') ? list : null;
    });
    assert.equal(failed.lastStatusCode ?? null, null);
    const detail = (await api(t).get(`/api/webhooks/${hook.id}/deliveries/${failed.id}`).expect(200)).body.delivery;
    assert.ok(detail.attempts.every((a: any) => a.statusCode === null && a.responseBody === null && a.error === 'Target address not allowed'), JSON.stringify(detail.attempts));
    assert.equal(receiver.requests.filter((r) => r.path === '/bound').length, 0, 'the receiver never saw a request');
    assert.equal(receiver.requests.length, before);

    // The admin re-points it (same host): it is now the admin's webhook, and delivers.
    const repointed = (await api(t).patch(`/api/webhooks/${hook.id}`).send({ url: `http://localhost:${port}/admin` }).expect(200)).body.webhook;
    assert.equal(repointed.restricted, false);
    await publish();
    await eventually(() => Promise.resolve(receiver.requests.some((r) => r.path === '/admin')));
  });

  it('does not send the Cloud API handshake of a bound token’s webhook to a host resolving to loopback', async () => {
    const { t, sessionId, token } = await setup({}, '919800000105');
    const before = receiver.requests.length;
    const res = await api(t, token)
      .post('/api/webhooks')
      .send({ url: `http://localhost:${port}/meta`, sessionId, format: 'cloud-api', verifyToken: 'verify-me' })
      .expect(422);
    assert.equal(res.body.error.code, 'WEBHOOK_VERIFICATION_FAILED');
    assert.match(res.body.error.message, /Target address not allowed/);
    assert.equal(receiver.requests.length, before, 'the receiver never saw the handshake');
  });

  it('admin webhooks still reach loopback receivers', async () => {
    const { t, publish, deliveries } = await setup({}, '919800000103');
    const hook = (await api(t).post('/api/webhooks').send({ url: `http://127.0.0.1:${port}/admin-literal` }).expect(201)).body.webhook;
    assert.equal(hook.restricted, false);
    await publish();
    await eventually(async () => (await deliveries(hook.id)).some((d) => d.status === 'DELIVERED'));
    assert.ok(receiver.requests.some((r) => r.path === '/admin-literal'));
  });

  it('WEBHOOK_URL_ALLOWLIST lets a bound token’s webhook reach the listed host', async () => {
    const { t, sessionId, token, publish, deliveries } = await setup({ WEBHOOK_URL_ALLOWLIST: 'localhost, 169.254.0.0/16' }, '919800000104');
    const hook = (await api(t, token).post('/api/webhooks').send({ url: `http://localhost:${port}/allowed`, sessionId }).expect(201)).body.webhook;
    assert.equal(hook.restricted, true);
    await publish();
    await eventually(async () => (await deliveries(hook.id)).some((d) => d.status === 'DELIVERED'));
    assert.ok(receiver.requests.some((r) => r.path === '/allowed'));
    // Allow-listed link-local may be set, by admins as by bound tokens.
    await api(t).post('/api/webhooks').send({ url: 'http://169.254.169.254/hook' }).expect(201);
    await api(t, token).post('/api/webhooks').send({ url: 'http://169.254.169.254/hook', sessionId }).expect(201);
  });
});
