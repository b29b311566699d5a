import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { decodeWamid, encodeWamid } from '../../src/cloud-api/wamid';
import { phoneNumberIdOf, wabaIdOf } from '../../src/common/utils/graph-ids';
import { linkedSandboxSession, receiveText, sentByWamid } from '../support/cloud-api';
import { createToken } from '../support/factories';
import { api, eventually } from '../support/http';
import { mediaFixtures, serveFiles, type FileServer, type MediaFixtures } from '../support/media-fixtures';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';
import * as typebot from '../support/crm-requests/typebot';
import { CrmEndpoint } from '../support/crm-requests/endpoint';
import { replay, replayBytes, type CrmRequest } from '../support/crm-requests/request';

const PHONE = '15550330000';
const APP_SECRET = 'typebot-app-secret-0123456789';
const VERIFY_TOKEN = 'typebot-verification-token-42';

/**
 * Typebot's WhatsApp integration with WHATSAPP_CLOUD_API_URL pointed at Switchboard, replayed
 * request for request (test/support/crm-requests/typebot.ts): the credentials dialog, the
 * phone number name, every message shape a bot sends, typing indicator, media upload and
 * download; and its production webhook's checks applied to what Switchboard posts.
 */
describe('Typebot WhatsApp integration against Switchboard', () => {
  let t: TestApp;
  let fx: MediaFixtures;
  let files: FileServer;
  let hook: CrmEndpoint;
  let session: { id: string; mobid: string };
  let cred: typebot.TypebotCredentials;

  before(async () => {
    fx = await mediaFixtures();
    files = await serveFiles({ 'card.png': fx.png });
    // handleWebhookSubscriptionRequest: a known verification token answers Number(challenge) (JSON), anything else 401.
    hook = await CrmEndpoint.start('/api/v1/workspaces/ws_1/whatsapp/cred_1/webhook', (q) =>
      q['hub.verify_token'] === VERIFY_TOKEN ? { status: 200, body: JSON.stringify(Number(q['hub.challenge'])) } : { status: 401, body: '{"message":"Unauthorized"}' },
    );
    // WEBHOOK_URL_ALLOWLIST: the webhook is registered on loopback through subscribed_apps with the session-bound token.
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, MEDIA_URL_ALLOWLIST: '127.0.0.1', WEBHOOK_URL_ALLOWLIST: '127.0.0.1' } });
    session = await linkedSandboxSession(t, PHONE);
    cred = {
      systemUserAccessToken: await createToken(t, { name: 'typebot', sessionId: session.id }),
      phoneNumberId: phoneNumberIdOf(session.id),
      wabaId: wabaIdOf(null),
      appSecret: APP_SECRET,
    };
  });
  after(async () => {
    await t?.destroy();
    await files?.close();
    await hook?.close();
  });

  const ok = async (req: CrmRequest) => {
    const res = await replay(t.url, req);
    assert.ok(res.status >= 200 && res.status < 300, `${req.name}: ky throws on ${res.status} ${res.text}`);
    return res;
  };
  const sendMessage = async (to: string, message: Record<string, unknown>) => {
    const res = await ok(typebot.sendMessage(cred, to, message));
    const id: string = res.json.messages[0].id;
    return { id, sent: await sentByWamid(t, session.id, id) };
  };
  const inbound = () => hook.values().filter(({ value }) => value.messages);

  it('accepts the credentials dialog: debug_token, every page of phone_numbers with the number in it (with appsecret_proof)', async () => {
    const token = await ok(typebot.debugToken(cred));
    assert.equal(typeof token.json.data.app_id, 'string', 'data.app_id');
    assert.equal(token.json.data.is_valid, true);

    const ids: string[] = [];
    let res = await ok(typebot.wabaPhoneNumbers(cred));
    for (let pages = 1; ; pages++) {
      for (const n of res.json.data) {
        assert.equal(typeof n.id, 'string');
        assert.equal(typeof n.display_phone_number, 'string');
        ids.push(n.id);
      }
      const next: string | undefined = res.json.paging?.next;
      if (!next) break;
      assert.ok(pages < 20);
      const url = new URL(next);
      url.searchParams.set('appsecret_proof', typebot.wabaPhoneNumbers(cred).query!.appsecret_proof);
      res = await replay(t.url, typebot.wabaPhoneNumbers(cred), url.toString());
      assert.equal(res.status, 200, res.text);
    }
    assert.ok(ids.includes(cred.phoneNumberId), `"This phone number ID was not found in the provided WhatsApp Business Account": ${ids}`);

  });

  it('passes the dialog\'s "subscribe" step once the callback is registered through subscribed_apps', async () => {
    const appId: string = (await ok(typebot.debugToken(cred))).json.data.app_id;
    const subscribed = (data: any[]) => data.some((a) => (a.whatsapp_business_api_data?.id ?? a.id) === appId);
    // Switchboard has no app-level callback URL: the admin registers Typebot's once, Meta's way (override_callback_uri).
    const register = await replay(t.url, {
      name: 'register the callback',
      source: 'docs/crm/typebot.md',
      method: 'POST',
      path: `/v21.0/${cred.wabaId}/subscribed_apps`,
      headers: { Authorization: `Bearer ${cred.systemUserAccessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ override_callback_uri: hook.url, verify_token: VERIFY_TOKEN, app_secret: APP_SECRET }),
    });
    assert.equal(register.status, 200, register.text);
    // isAppSubscribedToWaba, then subscribeAppToWaba (no body) as the dialog does.
    const listed = await ok(typebot.subscribedApps(cred));
    assert.ok(subscribed(listed.json.data), JSON.stringify(listed.json));
    await ok(typebot.subscribeApp(cred));
    assert.ok(subscribed((await ok(typebot.subscribedApps(cred))).json.data));
  });

  it('names the phone number from GET /v17.0/{phoneNumberId}', async () => {
    const res = await ok(typebot.phoneNumber(cred));
    assert.equal(res.json.display_phone_number.replace(/\D/g, ''), PHONE);
  });

  it('registers its webhook route (Number(challenge) answer) and gets posts that pass its signature and schema checks', async () => {
    await api(t).post('/api/webhooks').send({ url: hook.url, sessionId: session.id, format: 'cloud-api', verifyToken: 'not-the-token', secret: APP_SECRET }).expect(422);
    await api(t).post('/api/webhooks').send({ url: hook.url, sessionId: session.id, format: 'cloud-api', verifyToken: VERIFY_TOKEN, secret: APP_SECRET }).expect(201);

    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505551111', text: 'start' }).expect(202);
    const { post, value } = await eventually(async () => inbound().find(({ value }) => value.messages[0].text?.body === 'start'), 10_000);
    assert.deepEqual(typebot.typebotWebhookProblems(post.raw, post.headers['x-hub-signature-256'] as string, cred), []);
    assert.equal(value.messages[0].from, '16505551111', 'the chat session key');
    assert.equal(value.contacts[0].profile.name.constructor, String);

    const { id } = await sendMessage('16505551111', { type: 'text', text: { body: 'Welcome!', preview_url: false } });
    await eventually(async () => hook.values().some(({ value }) => value.statuses?.some((s: any) => s.id === id && s.status === 'read')), 10_000);
    const failed = await ok(typebot.sendMessage(cred, '16505550000', { type: 'text', text: { body: 'nobody' } }));
    await eventually(async () => hook.values().some(({ value }) => value.statuses?.some((s: any) => s.id === failed.json.messages[0].id && s.status === 'failed')), 10_000);
    for (const p of hook.posts) assert.deepEqual(typebot.typebotWebhookProblems(p.raw, p.headers['x-hub-signature-256'] as string, cred), [], p.raw);
  });

  it('resumes the chat only for its own number: metadata.phone_number_id is the configured phone number id', async () => {
    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505551112', text: 'which bot?' }).expect(202);
    const { value } = await eventually(async () => inbound().find(({ value }) => value.messages[0].text?.body === 'which bot?'), 10_000);
    assert.equal(value.metadata.phone_number_id, cred.phoneNumberId);
  });

  it('sends what a bot sends: text, choice buttons, a picture-choice card with an image header, media by link, and the typing indicator', async () => {
    const text = await sendMessage('16505552222', { type: 'text', text: { body: 'Hello *there*', preview_url: true } });
    assert.deepEqual(text.sent.content.kind === 'text' && text.sent.content.text, 'Hello *there*');

    const choice = await sendMessage('16505552222', {
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Pick a plan' }, action: { buttons: [{ type: 'reply', reply: { id: 'itm_a', title: 'Basic' } }, { type: 'reply', reply: { id: 'itm_b', title: 'Pro' } }] } },
    });
    assert.ok(choice.sent.content.kind === 'text');
    assert.match(choice.sent.content.text, /Pick a plan[\s\S]*1\. Basic[\s\S]*2\. Pro/);

    const card = await sendMessage('16505552222', {
      type: 'interactive',
      interactive: {
        type: 'button',
        header: { type: 'image', image: { link: `${files.url}/card.png` } },
        body: { text: '*Pro*\n\nEverything in Basic, and more' },
        action: { buttons: [{ type: 'reply', reply: { id: 'itm_b', title: 'Select' } }] },
      },
    });
    assert.ok(card.sent.content.kind === 'image', 'a media header becomes that media with the text as caption');
    assert.match(card.sent.content.caption ?? '', /Everything in Basic[\s\S]*1\. Select/);

    const image = await sendMessage('16505552222', { type: 'image', image: { link: `${files.url}/card.png` } });
    assert.equal(image.sent.content.kind, 'image');

    // The incoming message's wamid, as its webhook carried it (resumeWhatsAppFlow passes it on).
    const stored = await receiveText(t, session.id, '16505552222', 'thinking?');
    const wamid = encodeWamid({ chatJid: stored.chatJid, fromMe: false, id: stored.waMessageId });
    const typing = await ok(typebot.typingIndicator(cred, wamid));
    assert.deepEqual(typing.json, { success: true });
  });

  it('uploads media the way getOrUploadMedia does (unnamed blob, type field) and sends it by id', async () => {
    const upload = await ok(typebot.uploadMedia(cred, fx.png, 'image/png'));
    assert.match(upload.json.id, /^\d+$/);
    const image = await sendMessage('16505553333', { type: 'image', image: { id: upload.json.id } });
    assert.equal(image.sent.content.kind, 'image');
  });

  it('downloads incoming media the way downloadMedia does: url and mime_type, then the bytes with its User-Agent', async () => {
    const upload = await api(t, cred.systemUserAccessToken).post(`/v21.0/${session.id}/media`).field('messaging_product', 'whatsapp').field('type', 'image/png').attach('file', fx.png, { filename: 'x.png', contentType: 'image/png' }).expect(200);
    const info = await ok(typebot.mediaInfo(cred, upload.body.id));
    assert.equal(info.json.mime_type, 'image/png');
    const file = await replayBytes(typebot.mediaDownload(cred), info.json.url);
    assert.equal(file.status, 200);
    assert.ok(file.bytes.equals(fx.png));
  });

  it('answers a contact known by its business-scoped user id with recipient instead of to', async () => {
    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505554444', text: 'user id please' }).expect(202);
    const { value } = await eventually(async () => inbound().find(({ value }) => value.messages[0].text?.body === 'user id please'), 10_000);
    const userId: string = value.contacts[0].user_id;
    assert.ok(typebot.TYPEBOT_USER_ID.test(userId), `Typebot sends ${userId} as recipient only if it looks like a user id`);
    const { id } = await sendMessage(userId, { type: 'text', text: { body: 'Got it' } });
    assert.equal(decodeWamid(id)!.chatJid, '16505554444@s.whatsapp.net');
  });
});
