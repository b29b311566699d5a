import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from '../support/node-test';
import { decodeWamid } from '../../src/cloud-api/wamid';
import { phoneNumberIdOf, wabaIdOf } from '../../src/common/utils/graph-ids';
import { linkedSandboxSession, sentByWamid } from '../support/cloud-api';
import { createToken } from '../support/factories';
import { api, eventually } from '../support/http';
import { mediaFixtures, type MediaFixtures } from '../support/media-fixtures';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';
import * as n8n from '../support/crm-requests/n8n';
import { CrmEndpoint } from '../support/crm-requests/endpoint';
import { replay, replayBytes, type CrmRequest } from '../support/crm-requests/request';

const PHONE = '15550320000';
/** The WhatsApp Trigger node's id: n8n uses it as the verify token. */
const NODE_ID = '0f5a7c1e-8d1b-4c0e-9a55-7d4f2b3c9e10';
/** The trigger credential's client secret: n8n checks X-Hub-Signature-256 with it. */
const CLIENT_SECRET = 'n8n-client-secret-0123456789';

/**
 * n8n's "WhatsApp Business Cloud" node and credential replayed against Switchboard, request for
 * request (test/support/crm-requests/n8n.ts), with answers read the way the node's routing reads
 * them; and its WhatsApp Trigger's webhook route fed by a Switchboard subscription.
 */
describe('n8n WhatsApp Business Cloud node against Switchboard', () => {
  let t: TestApp;
  let fx: MediaFixtures;
  let trigger: CrmEndpoint;
  let session: { id: string; mobid: string };
  let cred: n8n.N8nCredential;

  before(async () => {
    fx = await mediaFixtures();
    // WhatsAppTrigger.node.ts: the challenge echoed as text/plain when hub.verify_token is the node id, else an empty answer.
    trigger = await CrmEndpoint.start(`/webhook/${NODE_ID}/webhook`, (q) => (q['hub.verify_token'] === NODE_ID ? { status: 200, body: q['hub.challenge'] } : { status: 200, body: '' }));
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV } });
    session = await linkedSandboxSession(t, PHONE);
    cred = { accessToken: await createToken(t, { name: 'n8n', sessionId: session.id }), businessAccountId: wabaIdOf(null) };
  });
  after(async () => {
    await t?.destroy();
    await trigger?.close();
  });

  const accepted = async (req: CrmRequest): Promise<string> => {
    const res = await replay(t.url, req);
    // sendErrorPostReceive throws on 4xx/5xx; the node outputs the body.
    assert.equal(res.status, 200, `${req.name}: ${res.text}`);
    assert.deepEqual(Object.keys(res.json), ['messaging_product', 'contacts', 'messages']);
    return res.json.messages[0].id as string;
  };

  it('passes the credential test with a valid token: GET /v13.0/ answers no OAuthException', async () => {
    const res = await replay(t.url, n8n.credentialTest(cred));
    assert.ok(n8n.credentialTestPasses(res.json), `n8n would say "Invalid access token": ${res.text}`);
  });

  it('fails the credential test with a wrong token (OAuthException)', async () => {
    const res = await replay(t.url, n8n.credentialTest({ ...cred, accessToken: 'EAAG-not-a-switchboard-token' }));
    assert.equal(n8n.credentialTestPasses(res.json), false, res.text);
    assert.equal(res.json.error.code, 190);
  });

  it('fills the "Sender Phone Number" dropdown with the canonical phone number id', async () => {
    const res = await replay(t.url, n8n.phoneNumbers(cred));
    assert.equal(res.status, 200, res.text);
    const options = n8n.phoneNumberOptions(res.json);
    const mine = options.find((o) => o.value === phoneNumberIdOf(session.id));
    assert.ok(mine, `options: ${JSON.stringify(options)}`);
    assert.match(mine.name, / - /);
    assert.equal(mine.name.split(' - ')[0].replace(/\D/g, ''), PHONE);
  });

  it('sends a text from the number picked in the dropdown, with the recipient cleaned as the node does', async () => {
    const list = await replay(t.url, n8n.phoneNumbers(cred));
    assert.equal(list.status, 200, list.text);
    const [picked] = n8n.phoneNumberOptions(list.json);
    const id = await accepted(n8n.sendText(cred, picked.value, '+1-650-555-1234', 'Order #42 shipped: https://example.com/t/42', true));
    const sent = await sentByWamid(t, session.id, id);
    assert.ok(sent.content.kind === 'text');
    assert.equal(sent.content.text, 'Order #42 shipped: https://example.com/t/42');
    assert.equal(decodeWamid(id)!.chatJid, '16505551234@s.whatsapp.net');
  });

  it('lists templates for the "Template" dropdown as name|language and sends the picked one with body parameters', async () => {
    await api(t).post('/api/templates').send({ name: 'n8n_order_update', language: 'en_US', components: [{ type: 'BODY', text: 'Hi {{1}}, your total is {{2}}.' }] }).expect(201);
    await api(t).post('/api/templates').send({ name: 'n8n_order_update', language: 'pt_BR', components: [{ type: 'BODY', text: 'Oi {{1}}, total {{2}}.' }] }).expect(201);
    const res = await replay(t.url, n8n.messageTemplates(cred));
    assert.equal(res.status, 200, res.text);
    const options = n8n.templateOptions(res.json);
    assert.ok(options.some((o) => o.value === 'n8n_order_update|en_US'));
    const picked = options.find((o) => o.value === 'n8n_order_update|pt_BR');
    assert.ok(picked, JSON.stringify(options));
    assert.equal(picked.name, 'n8n_order_update - pt_BR');

    const id = await accepted(
      n8n.sendTemplate(cred, phoneNumberIdOf(session.id), '5511987654321', picked.value, [
        { type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'currency', currency: { code: 'BRL', fallback_value: 'R$ 12,50', amount_1000: 12500 } }] },
      ]),
    );
    const sent = await sentByWamid(t, session.id, id);
    assert.deepEqual(sent.content, { kind: 'text', text: 'Oi Ana, total R$ 12,50.', mentions: undefined });
  });

  it('sends a template by the session id too (the id n8n users had before), as Meta-style aliases', async () => {
    await api(t).post('/api/templates').send({ name: 'n8n_ping', language: 'en', components: [{ type: 'BODY', text: 'ping' }] }).expect(201);
    const id = await accepted(n8n.sendTemplate(cred, session.id, '16505551234', 'n8n_ping|en'));
    assert.equal((await sentByWamid(t, session.id, id)).content.kind, 'text');
  });

  it('uploads media without a type field, sends it by id, gets its URL, downloads and deletes it', async () => {
    const phoneId = phoneNumberIdOf(session.id);
    const upload = await replay(t.url, n8n.uploadMedia(cred, phoneId, fx.pdf, 'application/pdf', 'invoice.pdf'));
    assert.equal(upload.status, 200, upload.text);
    assert.match(upload.json.id, /^\d+$/);

    const id = await accepted(n8n.sendMedia(cred, phoneId, '16505551234', 'document', { id: upload.json.id, filename: 'invoice-42.pdf', caption: 'Your invoice' }));
    const sent = await sentByWamid(t, session.id, id);
    assert.ok(sent.content.kind === 'document');
    assert.equal(sent.content.fileName, 'invoice-42.pdf');

    const info = await replay(t.url, n8n.mediaUrl(cred, upload.json.id));
    assert.equal(info.status, 200, info.text);
    assert.equal(info.json.mime_type, 'application/pdf');
    const file = await replayBytes(n8n.mediaUrl(cred, upload.json.id), info.json.url);
    assert.ok(file.bytes.equals(fx.pdf));

    const removed = await replay(t.url, n8n.mediaDelete(cred, upload.json.id));
    assert.deepEqual(removed.json, { success: true });
    assert.equal((await replay(t.url, n8n.mediaUrl(cred, upload.json.id))).status, 400);
  });

  it('sends a location', async () => {
    const id = await accepted(n8n.sendLocation(cred, phoneNumberIdOf(session.id), '16505551234', { longitude: -122.16126, latitude: 37.44216, name: 'Philz Coffee', address: '101 Forest Ave' }));
    assert.deepEqual((await sentByWamid(t, session.id, id)).content, { kind: 'location', latitude: 37.44216, longitude: -122.16126, name: 'Philz Coffee', address: '101 Forest Ave' });
  });

  it("feeds the WhatsApp Trigger's webhook route: node id as verify token, signed with the client secret, one event per change", async () => {
    await api(t).post('/api/webhooks').send({ url: trigger.url, sessionId: session.id, format: 'cloud-api', verifyToken: NODE_ID, secret: CLIENT_SECRET }).expect(201);
    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505559876', text: 'run the workflow' }).expect(202);
    const post = await eventually(async () => trigger.posts.find((p) => p.raw.includes('run the workflow')), 10_000);
    // WhatsAppTrigger.webhook(): signature over the raw body, object check, then {...change.value, field} per change.
    assert.equal(post.headers['x-hub-signature-256'], `sha256=${createHmac('sha256', CLIENT_SECRET).update(post.raw).digest('hex')}`);
    assert.equal(post.body.object, 'whatsapp_business_account');
    const events = post.body.entry.flatMap((e: any) => e.changes).map((c: any) => ({ ...c.value, field: c.field }));
    assert.equal(events.length, 1);
    assert.equal(events[0].field, 'messages');
    assert.equal(events[0].messages[0].text.body, 'run the workflow');
    assert.equal(events[0].contacts[0].wa_id, '16505559876');
  });

  it("gives the trigger's workflow the canonical phone number id to reply from (metadata.phone_number_id)", async () => {
    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505559877', text: 'which number?' }).expect(202);
    const post = await eventually(async () => trigger.posts.find((p) => p.raw.includes('which number?')), 10_000);
    assert.equal(post.body.entry[0].changes[0].value.metadata.phone_number_id, phoneNumberIdOf(session.id));
  });
});
