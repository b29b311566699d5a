import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { decodeWamid } from '../../src/cloud-api/wamid';
import { phoneNumberIdOf, wabaIdOf } from '../../src/common/utils/graph-ids';
import { linkedSandboxSession, sentByWamid } from '../support/cloud-api';
import { createToken } from '../support/factories';
import { api, eventually } from '../support/http';
import { mediaFixtures, serveFiles, type FileServer, type MediaFixtures } from '../support/media-fixtures';
import { simulatorEnv } from '../support/simulator-env';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';
import { startSimulator } from '../wa-sim/fixtures';
import type { WaSimulator } from '../wa-sim/wa-simulator';
import * as chatwoot from '../support/crm-requests/chatwoot';
import { CrmEndpoint } from '../support/crm-requests/endpoint';
import { replay, replayBytes, type CrmRequest } from '../support/crm-requests/request';

const PHONE = '15550310000';
const VERIFY_TOKEN = 'c0ffee0123456789abcdef0123456789';

/**
 * A Chatwoot "WhatsApp Cloud" inbox pointed at Switchboard (WHATSAPP_CLOUD_BASE_URL), replayed
 * request for request from Chatwoot's provider code (test/support/crm-requests/chatwoot.ts):
 * inbox creation, template sync, every send it makes, media download, its webhook route.
 * Answers are read the way Chatwoot reads them.
 */
describe('Chatwoot WhatsApp Cloud inbox against Switchboard', () => {
  let t: TestApp;
  let files: FileServer;
  let fx: MediaFixtures;
  let hook: CrmEndpoint;
  let session: { id: string; mobid: string };
  let inbox: chatwoot.ChatwootInbox;
  /** Chatwoot's `message_templates` column after sync. */
  let synced: any[] = [];

  before(async () => {
    fx = await mediaFixtures();
    files = await serveFiles({ 'photo.png': fx.png, 'invoice.pdf': fx.pdf, 'tone.mp3': fx.mp3 });
    // Chatwoot's route: the verify token must match the inbox's, else it still answers 200, with an error body.
    hook = await CrmEndpoint.start(`/webhooks/whatsapp/+${PHONE}`, (q) =>
      q['hub.verify_token'] === VERIFY_TOKEN ? { status: 200, body: q['hub.challenge'] } : { status: 200, body: JSON.stringify({ error: 'Error; wrong verify token', status: 403 }) },
    );
    // WEBHOOK_URL_ALLOWLIST: the webhook setup registers Chatwoot's loopback callback with the inbox's session-bound key.
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, MEDIA_URL_ALLOWLIST: '127.0.0.1', WEBHOOK_URL_ALLOWLIST: '127.0.0.1', WEBHOOK_RETRY_BASE_MS: '30', WEBHOOK_RETRY_MAX_MS: '200' } });
    session = await linkedSandboxSession(t, PHONE);
    // The settings a Chatwoot admin pastes: a system-user token for the session, its phone number id and the WABA id.
    inbox = { apiKey: await createToken(t, { name: 'chatwoot', sessionId: session.id }), phoneNumberId: phoneNumberIdOf(session.id), businessAccountId: wabaIdOf(null) };
  });
  after(async () => {
    await t?.destroy();
    await files?.close();
    await hook?.close();
  });

  /** Replays a send and reads it as process_response does: success? and no error, then messages.first.id. */
  const accepted = async (req: CrmRequest): Promise<string> => {
    const res = await replay(t.url, req);
    assert.equal(res.status, 200, `${req.name}: ${res.text}`);
    assert.equal(res.json.error, undefined);
    const id: string = res.json.messages[0].id;
    assert.ok(decodeWamid(id), `${req.name}: messages.first.id is a wamid (${id})`);
    return id;
  };
  /** accepted(), then what WhatsApp was given for it. */
  const send = async (req: CrmRequest) => {
    const id = await accepted(req);
    return { id, sent: await sentByWamid(t, session.id, id) };
  };
  const inbound = () => hook.values().filter(({ value }) => value.messages);
  const statusesOf = (wamid: string) => hook.values().flatMap(({ value }) => (value.statuses ?? []).filter((s: any) => s.id === wamid));

  it('creates the inbox: validate_provider_config? lists message templates with the key as access_token, and sync_templates follows paging.next to the end', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `chatwoot_sync_${String(i).padStart(2, '0')}`);
    for (const name of names) {
      await api(t).post('/api/templates').send({ name, language: 'en_US', category: 'UTILITY', components: [{ type: 'BODY', text: `Hello {{1}}, this is ${name}.` }] }).expect(201);
    }
    const first = await replay(t.url, chatwoot.messageTemplates(inbox));
    assert.equal(first.status, 200, `validate_provider_config? needs response.success?: ${first.text}`);

    // sync_templates: data of every page, next URLs fetched as given (no headers: the token must be in them).
    const pages = [first.json];
    for (let next = first.json.paging?.next; next; next = pages[pages.length - 1].paging?.next) {
      assert.ok(pages.length < 20, 'paging ends');
      const page = await replay(t.url, { ...chatwoot.messageTemplates(inbox), query: {} }, next);
      assert.equal(page.status, 200, `paging.next ${next}: ${page.text}`);
      pages.push(page.json);
    }
    assert.ok(pages.length >= 2, 'Graph pages templates 25 at a time when no limit is given');
    synced = pages.flatMap((p) => p.data);
    const ours = synced.filter((tpl) => names.includes(tpl.name));
    assert.deepEqual(ours.map((tpl) => tpl.name).sort(), names, 'every template once');
    for (const tpl of ours) {
      assert.equal(tpl.language, 'en_US');
      assert.equal(tpl.status, 'APPROVED');
      assert.equal(tpl.category, 'UTILITY');
      assert.equal(typeof tpl.id, 'string');
      assert.deepEqual(tpl.components.find((c: any) => c.type === 'BODY')?.text, `Hello {{1}}, this is ${tpl.name}.`);
    }
  });

  it('refuses the inbox with a wrong key, as Chatwoot\'s validation expects (not success?)', async () => {
    const res = await replay(t.url, chatwoot.messageTemplates({ ...inbox, apiKey: 'not-a-token' }));
    assert.ok(res.status >= 400, `status ${res.status}`);
    assert.equal(res.json.error.code, 190);
  });

  it('subscribes Chatwoot\'s webhook route: a wrong verify token is refused although Chatwoot answers 200, the right one passes', async () => {
    const wrong = await api(t).post('/api/webhooks').send({ url: hook.url, sessionId: session.id, format: 'cloud-api', verifyToken: 'wrong', secret: 'chatwoot-app-secret-0123' }).expect(422);
    assert.match(wrong.body.error.message, /without echoing hub.challenge/);
    await api(t).post('/api/webhooks').send({ url: hook.url, sessionId: session.id, format: 'cloud-api', verifyToken: VERIFY_TOKEN, secret: 'chatwoot-app-secret-0123' }).expect(201);
    const last = hook.verifications[hook.verifications.length - 1];
    assert.equal(last['hub.verify_token'], VERIFY_TOKEN);
  });

  it('sends a text (with "context":null) and a reply quoting an incoming message', async () => {
    const { id, sent } = await send(chatwoot.sendText(inbox, '16505551234', 'Hi from Chatwoot <agent> & co'));
    assert.deepEqual(sent.content, { kind: 'text', text: 'Hi from Chatwoot <agent> & co', mentions: undefined });
    assert.equal(decodeWamid(id)!.chatJid, '16505551234@s.whatsapp.net');

    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505551234', text: 'Where is my order?' }).expect(202);
    const incoming = await eventually(async () => inbound().find(({ value }) => chatwoot.chatwootContent(value.messages[0]) === 'Where is my order?'), 10_000);
    const reply = await send(chatwoot.sendText(inbox, '16505551234', 'It ships today', incoming.value.messages[0].id));
    assert.equal(reply.sent.quoted?.id, decodeWamid(incoming.value.messages[0].id)!.id, 'the reply quotes the incoming message');
  });

  it('routes an incoming message to the inbox: display_phone_number and the configured phone_number_id, with the fields Chatwoot reads', async () => {
    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505552345', text: 'Hello support' }).expect(202);
    const { value, post } = await eventually(async () => inbound().find(({ value }) => chatwoot.chatwootContent(value.messages[0]) === 'Hello support'), 10_000);
    assert.equal(post.body.object, 'whatsapp_business_account');
    assert.equal(`+${value.metadata.display_phone_number}`, `+${PHONE}`, 'Channel::Whatsapp.find_by(phone_number: "+" + display_phone_number)');
    assert.equal(value.metadata.phone_number_id, inbox.phoneNumberId, "provider_config['phone_number_id'] == metadata.phone_number_id");
    assert.ok(chatwoot.chatwootRoutes(post.body, { phoneNumber: `+${PHONE}`, phoneNumberId: inbox.phoneNumberId }));
    const message = value.messages[0];
    assert.equal(message.type, 'text');
    assert.equal(message.from, '16505552345');
    assert.equal('errors' in message, false, 'a message with errors is dropped');
    assert.equal(value.contacts[0].wa_id, '16505552345', 'contact source_id');
    assert.equal(typeof value.contacts[0].profile.name, 'string');
    assert.equal(post.body.entry[0].id, inbox.businessAccountId, 'entry id is the WABA id');
  });

  it('sends interactive buttons and a list with action as a JSON string; the tap comes back as the title Chatwoot shows', async () => {
    const buttons = await send(chatwoot.sendInteractive(inbox, '16505553456', 'Was this helpful?', [{ title: 'Yes', value: 'yes' }, { title: 'No', value: 'no' }]));
    assert.ok(buttons.sent.content.kind === 'text');
    assert.match(buttons.sent.content.text, /Was this helpful\?[\s\S]*1\. Yes[\s\S]*2\. No/);

    const items = ['Billing', 'Shipping', 'Returns', 'Other'].map((title) => ({ title, value: title.toLowerCase() }));
    const list = await send(chatwoot.sendInteractive(inbox, '16505554567', 'What is it about?', items));
    assert.ok(list.sent.content.kind === 'text');
    assert.match(list.sent.content.text, /What is it about\?[\s\S]*1\. Billing[\s\S]*4\. Other/);

    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505554567', text: '2' }).expect(202);
    const tap = await eventually(async () => inbound().find(({ value }) => value.messages[0].from === '16505554567' && value.messages[0].type === 'interactive'), 10_000);
    assert.equal(chatwoot.chatwootContent(tap.value.messages[0]), 'Shipping');
    assert.equal(tap.value.messages[0].context.id, list.id, 'in_reply_to_external_id finds the list message');
  });

  it('sends a synced template with policy "deterministic" and body parameters', async () => {
    const tpl = synced.find((x) => x.name === 'chatwoot_sync_07') ?? { name: 'chatwoot_sync_07', language: 'en_US' };
    const { sent } = await send(
      chatwoot.sendTemplate(inbox, '16505555678', { name: tpl.name, langCode: tpl.language, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] }),
    );
    assert.deepEqual(sent.content, { kind: 'text', text: 'Hello Ana, this is chatwoot_sync_07.', mentions: undefined });
  });

  it('sends attachments by link: image and document with caption (and file name), audio without', async () => {
    const image = await send(chatwoot.sendAttachment(inbox, '16505556789', { fileType: 'image', downloadUrl: `${files.url}/photo.png`, filename: 'photo.png' }, 'The damage'));
    assert.ok(image.sent.content.kind === 'image');
    assert.equal(image.sent.content.caption, 'The damage');
    const doc = await send(chatwoot.sendAttachment(inbox, '16505556789', { fileType: 'file', downloadUrl: `${files.url}/invoice.pdf`, filename: 'invoice.pdf' }, 'Your invoice'));
    assert.ok(doc.sent.content.kind === 'document');
    assert.equal(doc.sent.content.fileName, 'invoice.pdf');
    assert.equal(doc.sent.content.caption, 'Your invoice');
    const audio = await send(chatwoot.sendAttachment(inbox, '16505556789', { fileType: 'audio', downloadUrl: `${files.url}/tone.mp3`, filename: 'tone.mp3' }, null));
    assert.ok(audio.sent.content.kind === 'audio' || audio.sent.content.kind === 'voice');
    // A caption-less image: Chatwoot still sends "caption": null.
    const bare = await send(chatwoot.sendAttachment(inbox, '16505556789', { fileType: 'image', downloadUrl: `${files.url}/photo.png`, filename: 'photo.png' }, null));
    assert.equal(bare.sent.content.kind, 'image');
  });

  it('downloads media the way its incoming-message service does: media_url with phone_number_id, then the url with the Bearer header', async () => {
    const upload = await api(t, inbox.apiKey).post(`/v13.0/${inbox.phoneNumberId}/media`).field('messaging_product', 'whatsapp').field('type', 'image/png').attach('file', fx.png, { filename: 'in.png', contentType: 'image/png' }).expect(200);
    const info = await replay(t.url, chatwoot.mediaUrl(inbox, upload.body.id));
    assert.equal(info.status, 200, info.text);
    assert.match(info.json.url, /^http:\/\/127\.0\.0\.1:\d+\//);
    const file = await replayBytes(chatwoot.mediaDownload(inbox), info.json.url);
    assert.equal(file.status, 200);
    assert.ok(file.bytes.equals(fx.png));
    assert.match(file.headers.get('content-type') ?? '', /^image\/png/);
  });

  it('gets sent, delivered and read for the id it stored, and failed with errors[0].code/title', async () => {
    const { id } = await send(chatwoot.sendText(inbox, '16505557890', 'status please'));
    const seen = await eventually(async () => {
      const mine = statusesOf(id).map((s) => s.status);
      return ['sent', 'delivered', 'read'].every((s) => mine.includes(s)) ? mine : null;
    }, 10_000);
    for (const s of seen) assert.ok(['sent', 'delivered', 'read', 'failed'].includes(s), `Chatwoot's message status enum has no "${s}"`);

    const failed = await accepted(chatwoot.sendText(inbox, '16505550000', 'nobody home'));
    const status = await eventually(async () => statusesOf(failed).find((s) => s.status === 'failed'), 10_000);
    assert.equal(status.errors[0].code, 131026);
    assert.equal(typeof status.errors[0].title, 'string');
  });

  it('replies by the business-scoped user id the webhook carried (recipient instead of to), reaching the same chat', async () => {
    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '16505558901', text: 'reach me by my user id' }).expect(202);
    const { value } = await eventually(async () => inbound().find(({ value }) => chatwoot.chatwootContent(value.messages[0]) === 'reach me by my user id'), 10_000);
    const userId: string = value.contacts[0].user_id;
    assert.equal(typeof userId, 'string', 'contacts[0].user_id');
    const { id } = await send(chatwoot.sendTextToUserId(inbox, userId, 'Here you go'));
    assert.equal(decodeWamid(id)!.chatJid, '16505558901@s.whatsapp.net');
  });

  it('completes the webhook setup calls: phone number status, register, subscribed_apps with override_callback_uri, and the health check fields', async () => {
    const phone = await replay(t.url, chatwoot.webhookSetup.phoneNumber(inbox));
    assert.equal(phone.status, 200, phone.text);
    assert.equal(phone.json.code_verification_status, 'VERIFIED');
    const register = await replay(t.url, chatwoot.webhookSetup.register(inbox, '123456'));
    assert.equal(register.status, 200, register.text);
    assert.deepEqual(register.json, { success: true });
    const subscribe = await replay(t.url, chatwoot.webhookSetup.subscribe(inbox, hook.url, VERIFY_TOKEN));
    assert.equal(subscribe.status, 200, subscribe.text);
    assert.deepEqual(subscribe.json, { success: true });

    const health = await replay(t.url, chatwoot.health.phoneNumber(inbox));
    assert.equal(health.status, 200, `no Graph error for a real Meta field: ${health.text}`);
    assert.equal(health.json.id, inbox.phoneNumberId);
    assert.equal(health.json.display_phone_number.replace(/\D/g, ''), PHONE);
    assert.equal(health.json.code_verification_status, 'VERIFIED');
    assert.equal(typeof health.json.throughput.level, 'string');
    const waba = await replay(t.url, chatwoot.health.businessAccount(inbox));
    assert.equal(waba.status, 200, waba.text);
    assert.equal(waba.json.id, inbox.businessAccountId);
    assert.equal(typeof waba.json.name, 'string');
  });
});

/**
 * A contact's photo and PDF reaching Chatwoot: real Baileys against the loopback WhatsApp
 * simulator, so the webhook carries media ids of received messages, which Chatwoot resolves
 * with media_url(id, phone_number_id) and downloads with its Bearer header.
 */
describe('Chatwoot receiving media from a contact (loopback WhatsApp simulator)', () => {
  let sim: WaSimulator;
  let stopSim: (() => Promise<void>) | undefined;
  let t: TestApp;
  let fx: MediaFixtures;
  let hook: CrmEndpoint;
  let inbox: chatwoot.ChatwootInbox;
  const SIM_PHONE = '15557310001';

  before(async () => {
    fx = await mediaFixtures();
    ({ sim, close: stopSim } = await startSimulator({ autoReceipts: { delivery: true, read: false } }));
    hook = await CrmEndpoint.start(`/webhooks/whatsapp/+${SIM_PHONE}`, (q) => ({ status: 200, body: q['hub.verify_token'] === VERIFY_TOKEN ? q['hub.challenge'] : '{}' }));
    t = await startTestApp({ env: simulatorEnv(sim.url) });
    const { body } = await api(t).post('/api/sessions').send({ name: 'chatwoot' }).expect(201);
    const sessionId: string = body.session.sessionId;
    const qr = await api(t).get(`/api/sessions/${sessionId}/qr`).expect(200);
    await sim.scan(qr.body.qr, SIM_PHONE);
    await eventually(async () => (await api(t).get(`/api/sessions/${sessionId}`).expect(200)).body.session.status === 'READY', 15_000);
    await api(t).post('/api/webhooks').send({ url: hook.url, sessionId, format: 'cloud-api', verifyToken: VERIFY_TOKEN, secret: 'chatwoot-app-secret-0123' }).expect(201);
    inbox = { apiKey: await createToken(t, { name: 'chatwoot', sessionId }), phoneNumberId: phoneNumberIdOf(sessionId), businessAccountId: wabaIdOf(null) };
  });
  after(async () => {
    await t?.destroy();
    await stopSim?.();
    await hook?.close();
  });

  /** attach_files: the type's payload ({id, caption}), then download_attachment_file. */
  const attachment = async (value: any) => {
    const message = value.messages[0];
    const payload = message[message.type];
    const info = await replay(t.url, chatwoot.mediaUrl(inbox, payload.id));
    assert.equal(info.status, 200, `media_url: ${info.text}`);
    const file = await replayBytes(chatwoot.mediaDownload(inbox), info.json.url);
    assert.equal(file.status, 200);
    return { payload, file };
  };

  it('downloads a photo with its caption and a PDF with its file name', async () => {
    const dana = sim.addContact('15557410001', 'Dana');
    await sim.contactSend(dana.phoneNumber, SIM_PHONE, { image: fx.png, mimetype: 'image/png', caption: 'the damage' });
    const photo = await eventually(async () => hook.values().find(({ value }) => value.messages?.[0]?.type === 'image'), 15_000);
    assert.ok(chatwoot.chatwootRoutes(photo.post.body, { phoneNumber: `+${SIM_PHONE}`, phoneNumberId: inbox.phoneNumberId }), 'the webhook reaches this inbox');
    const image = await attachment(photo.value);
    assert.equal(image.payload.caption, 'the damage', 'message content ||= caption');
    assert.ok(image.file.bytes.equals(fx.png));
    assert.match(image.file.headers.get('content-type') ?? '', /^image\/png/);

    await sim.contactSend(dana.phoneNumber, SIM_PHONE, { document: fx.pdf, mimetype: 'application/pdf', fileName: 'claim.pdf' });
    const pdf = await eventually(async () => hook.values().find(({ value }) => value.messages?.[0]?.type === 'document'), 15_000);
    const doc = await attachment(pdf.value);
    assert.equal(doc.payload.filename, 'claim.pdf');
    assert.ok(doc.file.bytes.equals(fx.pdf));
  });
});
