import assert from 'node:assert/strict';
import { phoneNumberIdOf } from '../../src/common/utils/graph-ids';
import { after, before, describe, it } from '../support/node-test';
import { linkedSandboxSession } from '../support/cloud-api';
import { CloudWebhookReceiver } from '../support/cloud-webhook-receiver';
import { createToken, createWebhook } from '../support/factories';
import { api } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { FAST_WEBHOOK_ENV, verifySignature, WebhookReceiver } from '../support/webhook-receiver';

const SECRET = 'test-ping-secret-0123456789';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `POST /api/webhooks/{id}/test` over real HTTP: one signed `webhook.test` delivery to a local
 * receiver through the webhook's durable queue, in the native and the Cloud API format, and who
 * may send one.
 */
describe('Webhook test ping', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let crm: CloudWebhookReceiver;

  before(async () => {
    receiver = await WebhookReceiver.start();
    crm = await CloudWebhookReceiver.start(SECRET, 'verify-me');
    t = await startTestApp({ env: FAST_WEBHOOK_ENV });
  });
  after(async () => {
    await t?.destroy();
    await receiver?.close();
    await crm?.close();
  });

  const delivery = async (webhookId: string, deliveryId: string) =>
    (await api(t).get(`/api/webhooks/${webhookId}/deliveries/${deliveryId}`).expect(200)).body.delivery;

  it('queues one signed native webhook.test delivery that the receiver gets and the log records with its response code', async () => {
    const hook = await createWebhook(t, { url: receiver.url, events: ['message.received'], secret: SECRET });
    const res = await api(t).post(`/api/webhooks/${hook.id}/test`).expect(202);
    assert.equal(res.body.success, true);
    const queued = res.body.delivery;
    assert.match(queued.id, UUID);
    assert.equal(queued.event, 'webhook.test');
    assert.equal(queued.status, 'PENDING');

    await receiver.waitFor((r) => r.requests.some((q) => q.headers['x-switchboard-delivery'] === queued.id));
    const got = receiver.requests.filter((q) => q.headers['x-switchboard-delivery'] === queued.id);
    assert.equal(got.length, 1);
    const [request] = got;
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['x-switchboard-event'], 'webhook.test');
    assert.ok(verifySignature(SECRET, request.headers, request.rawBody), 'signed with the webhook secret');
    assert.equal(request.body.event, 'webhook.test');
    assert.match(request.body.id, /^evt_/);
    assert.equal(request.headers['x-switchboard-event-id'], request.body.id);
    assert.equal(request.body.sessionId, null);
    assert.equal(request.body.data.webhookId, hook.id);
    assert.equal(request.body.data.test, true);

    // The delivery log shows it delivered with the receiver's answer, like any other.
    const logged = await waitFor(async () => {
      const d = await delivery(hook.id, queued.id);
      return d.status === 'DELIVERED' ? d : null;
    }, { what: 'the test delivery DELIVERED' });
    assert.equal(logged.lastStatusCode, 200);
    assert.deepEqual(logged.attempts.map((a: { statusCode: number | null }) => a.statusCode), [200]);
    assert.equal(logged.payload.event, 'webhook.test');
    const list = (await api(t).get(`/api/webhooks/${hook.id}/deliveries`).expect(200)).body.deliveries;
    assert.equal(list[0].id, queued.id);
    // A test ping goes to that webhook only, never to the other subscriptions.
    const other = await createWebhook(t, { url: receiver.url, secret: SECRET });
    await api(t).post(`/api/webhooks/${hook.id}/test`).expect(202);
    assert.equal((await api(t).get(`/api/webhooks/${other.id}/deliveries`).expect(200)).body.deliveries.length, 0);
  });

  it('is retried like any delivery when the receiver fails first', async () => {
    const hook = await createWebhook(t, { url: receiver.url, secret: SECRET });
    receiver.failNextRequests(1, 503);
    const queued = (await api(t).post(`/api/webhooks/${hook.id}/test`).expect(202)).body.delivery;
    const done = await waitFor(async () => {
      const d = await delivery(hook.id, queued.id);
      return d.status === 'DELIVERED' ? d : null;
    }, { what: 'the retried test delivery DELIVERED' });
    assert.deepEqual(done.attempts.map((a: { statusCode: number | null }) => a.statusCode), [503, 200]);
  });

  it('sends a Cloud API webhook a signed Meta payload that whatsapp-api-js accepts as a status', async () => {
    const session = await linkedSandboxSession(t, '15550400000');
    const hook = await createWebhook(t, { url: crm.url, sessionId: session.id, format: 'cloud-api', verifyToken: 'verify-me', secret: SECRET });
    const queued = (await api(t).post(`/api/webhooks/${hook.id}/test`).expect(202)).body.delivery;
    const status = await waitFor(() => crm.statuses.find((s) => String(s.id).startsWith('wamid.TEST_')), { what: 'the test status at the CRM' });
    assert.equal(status.status, 'sent');
    assert.equal(status.phoneID, phoneNumberIdOf(session.id), 'the canonical phone number id, as every Cloud API webhook');
    assert.equal(crm.messages.length, 0, 'no message a bot would answer');
    const post = crm.posts.find((p) => p.body?.entry?.[0]?.changes?.[0]?.value?.statuses?.[0]?.id === status.id)!;
    assert.equal(post.status, 200, 'whatsapp-api-js checked the signature and handled it');
    assert.equal(post.body.object, 'whatsapp_business_account');
    await waitFor(async () => (await delivery(hook.id, queued.id)).status === 'DELIVERED', { what: 'the Cloud API test delivery DELIVERED' });
  });

  it('answers 404 for an unknown webhook, 409 for a paused one, 401 without a credential and 403 for a token that may not manage it', async () => {
    const unknown = await api(t).post('/api/webhooks/00000000-0000-4000-8000-000000000000/test').expect(404);
    assert.equal(unknown.body.error.code, 'WEBHOOK_NOT_FOUND');
    assert.equal((await api(t).post('/api/webhooks/not-a-uuid/test').expect(404)).body.error.code, 'WEBHOOK_NOT_FOUND');
    await api(t, null).post('/api/webhooks/00000000-0000-4000-8000-000000000000/test').expect(401);

    const paused = await createWebhook(t, { url: receiver.url, secret: SECRET, active: false });
    const refused = await api(t).post(`/api/webhooks/${paused.id}/test`).expect(409);
    assert.equal(refused.body.error.code, 'WEBHOOK_INACTIVE');
    assert.equal((await api(t).get(`/api/webhooks/${paused.id}/deliveries`).expect(200)).body.deliveries.length, 0);

    // A session-bound token: its own session's webhook yes, a global one or another session's no.
    const mine = await linkedSandboxSession(t, '15550400001');
    const theirs = await linkedSandboxSession(t, '15550400002');
    const token = await createToken(t, { name: 'bound', sessionId: mine.id });
    const own = await createWebhook(t, { url: receiver.url, sessionId: mine.id, secret: SECRET });
    const foreign = await createWebhook(t, { url: receiver.url, sessionId: theirs.id, secret: SECRET });
    const global = await createWebhook(t, { url: receiver.url, secret: SECRET });
    const ok = (await api(t, token).post(`/api/webhooks/${own.id}/test`).expect(202)).body.delivery;
    assert.equal(ok.sessionId, mine.id);
    assert.equal((await api(t, token).post(`/api/webhooks/${foreign.id}/test`).expect(403)).body.error.code, 'FORBIDDEN');
    assert.equal((await api(t, token).post(`/api/webhooks/${global.id}/test`).expect(403)).body.error.code, 'FORBIDDEN');
    await receiver.waitFor((r) => r.requests.some((q) => q.headers['x-switchboard-delivery'] === ok.id));
    const request = receiver.requests.find((q) => q.headers['x-switchboard-delivery'] === ok.id)!;
    assert.equal(request.body.sessionId, mine.id);
  });
});
