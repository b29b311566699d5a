import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from '../support/node-test';
import { decodeWamid } from '../../src/cloud-api/wamid';
import { phoneNumberIdOf, wabaIdOf } from '../../src/common/utils/graph-ids';
import { api, eventually } from '../support/http';
import { linkedSandboxSession } from '../support/cloud-api';
import { CloudWebhookReceiver } from '../support/cloud-webhook-receiver';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';

const SECRET = 'meta-app-secret-0123456789';
const VERIFY = 'my-verify-token';

/**
 * Webhook subscriptions in Meta's format, received by a CRM endpoint built on whatsapp-api-js
 * (which checks the handshake and `X-Hub-Signature-256`).
 */
describe('Cloud API webhooks (format "cloud-api")', () => {
  let t: TestApp;
  let crm: CloudWebhookReceiver;
  let session: { id: string; mobid: string };
  const PHONE = '15550300000';

  before(async () => {
    crm = await CloudWebhookReceiver.start(SECRET, VERIFY);
    t = await startTestApp({
      env: { ...FAST_QUEUE_ENV, SANDBOX_RECEIPT_DELAY_MS: '30', WEBHOOK_RETRY_BASE_MS: '30', WEBHOOK_RETRY_MAX_MS: '200' },
    });
    session = await linkedSandboxSession(t, PHONE);
  });
  after(async () => {
    await t?.destroy();
    await crm?.close();
  });

  const payloads = () => crm.accepted.map((p) => p.body.entry[0].changes[0].value);
  const sendFacade = (body: Record<string, unknown>) => api(t).post(`/v21.0/${session.id}/messages`).send({ messaging_product: 'whatsapp', ...body }).expect(200);

  it('refuses a callback that fails the hub.challenge handshake, and subscribes one that passes', async () => {
    const refused = await api(t).post('/api/webhooks').send({ url: crm.url, sessionId: session.id, format: 'cloud-api', verifyToken: 'wrong', secret: SECRET }).expect(422);
    assert.equal(refused.body.error.code, 'WEBHOOK_VERIFICATION_FAILED');
    assert.match(refused.body.error.message, /HTTP 403/);
    const missing = await api(t).post('/api/webhooks').send({ url: crm.url, sessionId: session.id, format: 'cloud-api', secret: SECRET }).expect(400);
    assert.equal(missing.body.error.code, 'VALIDATION_FAILED');
    assert.equal((await api(t).get('/api/webhooks').expect(200)).body.webhooks.length, 0);

    const created = await api(t).post('/api/webhooks').send({ url: crm.url, sessionId: session.id, format: 'cloud-api', verifyToken: VERIFY, secret: SECRET }).expect(201);
    assert.equal(created.body.webhook?.format ?? created.body.format, 'cloud-api');
    const last = crm.handshakes[crm.handshakes.length - 1];
    assert.equal(last['hub.mode'], 'subscribe');
    assert.equal(last['hub.verify_token'], VERIFY);
    assert.match(last['hub.challenge'], /^\d+$/);
  });

  it('posts an inbound message in Meta format, ASCII-escaped and signed so whatsapp-api-js accepts it', async () => {
    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505551234', text: 'Olá José ✓ 👍' }).expect(202);
    const got = await eventually(async () => crm.messages.find((m) => m.message.text?.body === 'Olá José ✓ 👍'), 10_000);
    assert.equal(got.phoneID, phoneNumberIdOf(session.id), 'the canonical phone number id');
    assert.equal(got.from, '16505551234');
    const post = crm.accepted.find((p) => p.body.entry[0].changes[0].value.messages?.[0]?.id === got.message.id)!;
    assert.ok(/^[\x00-\x7f]*$/.test(post.raw), 'the body is pure ASCII');
    assert.ok(post.raw.includes('Ol\\u00e1 Jos\\u00e9 \\u2713 \\ud83d\\udc4d'));
    assert.equal(post.headers['x-hub-signature-256'], `sha256=${createHmac('sha256', SECRET).update(post.raw).digest('hex')}`);
    assert.equal(post.headers['x-hub-signature'], `sha1=${createHmac('sha1', SECRET).update(post.raw).digest('hex')}`);
    assert.equal(post.body.object, 'whatsapp_business_account');
    const value = post.body.entry[0].changes[0].value;
    assert.equal(post.body.entry[0].changes[0].field, 'messages');
    assert.deepEqual(value.metadata, { display_phone_number: PHONE, phone_number_id: phoneNumberIdOf(session.id) });
    assert.equal(post.body.entry[0].id, wabaIdOf(null), 'entry[].id is the WABA id of the workspace');
    assert.equal(value.contacts[0].wa_id, '16505551234');
    const message = value.messages[0];
    assert.deepEqual(Object.keys(message), ['from', 'from_user_id', 'id', 'timestamp', 'type', 'text']);
    assert.equal(message.from_user_id, value.contacts[0].user_id);
    assert.match(message.from_user_id, /^US\.\d{20}$/);
    assert.match(message.timestamp, /^\d{10}$/);
    assert.equal(decodeWamid(message.id)?.fromMe, false);
  });

  it('posts sent, delivered and read statuses, one per request, with the send\'s wamid and callback data', async () => {
    const res = await sendFacade({ to: '16505552222', text: { body: 'tracked' }, biz_opaque_callback_data: 'order-42' });
    const wamid = res.body.messages[0].id;
    const statuses = await eventually(async () => {
      const mine = crm.statuses.filter((s) => s.id === wamid);
      return mine.length >= 3 ? mine : null;
    }, 10_000);
    assert.deepEqual(statuses.map((s) => s.status), ['sent', 'delivered', 'read']);
    for (const s of statuses) {
      assert.equal(s.phone, '16505552222');
      assert.equal(s.biz_opaque_callback_data, 'order-42');
    }
    for (const value of payloads().filter((v) => v.statuses?.[0]?.id === wamid)) {
      assert.equal(value.statuses.length, 1);
      assert.equal(value.messages, undefined);
    }
  });

  it('posts a failed status with Meta\'s error for a recipient not on WhatsApp', async () => {
    const res = await sendFacade({ to: '16505550000', text: { body: 'nobody' } });
    const failed = await eventually(async () => crm.statuses.find((s) => s.id === res.body.messages[0].id && s.status === 'failed'), 10_000);
    assert.equal(failed.error.code, 131026);
    assert.equal(failed.error.title, 'Message Undeliverable');
  });

  it('turns a numbered answer to interactive buttons into a button_reply', async () => {
    const res = await sendFacade({
      to: '16505553333',
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Confirm?' }, action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }] } },
    });
    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505553333', text: '2' }).expect(202);
    const reply = await eventually(async () => crm.messages.find((m) => m.from === '16505553333' && m.message.type === 'interactive'), 10_000);
    assert.deepEqual(reply.message.interactive, { type: 'button_reply', button_reply: { id: 'no', title: 'No' } });
    assert.deepEqual(reply.message.context, { from: PHONE, id: res.body.messages[0].id });
  });

  it('retries a delivery the CRM failed, with the same signed bytes', async () => {
    crm.failing = { text: 'retry me', times: 2 };
    const before = crm.posts.length;
    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505554444', text: 'retry me' }).expect(202);
    await eventually(async () => crm.messages.find((m) => m.message.text?.body === 'retry me'), 10_000);
    const attempts = crm.posts.slice(before).filter((p) => p.raw.includes('retry me'));
    assert.ok(attempts.length >= 3, `${attempts.length} attempts`);
    assert.deepEqual(attempts.slice(0, 3).map((p) => p.status), [500, 500, 200]);
    assert.equal(new Set(attempts.map((p) => p.raw)).size, 1);
  });
});
