import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { after, before, describe, it } from '../support/node-test';
import { businessUserIdOf } from '../../src/cloud-api/business-user-id';
import { mediaIdOfMessage } from '../../src/cloud-api/cloud-api-media.service';
import { decodeWamid } from '../../src/cloud-api/wamid';
import { wabaIdOf } from '../../src/common/utils/graph-ids';
import type { InboundMessage } from '../../src/whatsapp/engine/engine-events';
import type { SandboxEngine } from '../../src/whatsapp/sandbox/sandbox.engine';
import { linkedSandboxSession, sandboxOf } from '../support/cloud-api';
import { CloudWebhookReceiver, type CloudWebhookPost } from '../support/cloud-webhook-receiver';
import { api, eventually } from '../support/http';
import { CLIENT_REQUIREMENTS, MESSAGE_KINDS, missingFor, STATUS_KINDS, valueAt, type WebhookKind } from '../support/meta-webhook-requirements';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';

const SECRET = 'conformance-app-secret-0123456789';
const VERIFY = 'conformance-verify-token';
const PHONE = '15550400000';
const CONTACT = '16505551234';
const CONTACT_JID = `${CONTACT}@s.whatsapp.net`;

/** pywa's MessageType / MessageStatusType values (pywa/types/others.py, message_status.py). */
const PYWA_MESSAGE_TYPES = ['text', 'image', 'video', 'document', 'audio', 'sticker', 'reaction', 'location', 'contacts', 'order', 'unsupported', 'interactive', 'button', 'system'];
const PYWA_STATUSES = ['sent', 'delivered', 'read', 'failed', 'played'];

const b64sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');

/**
 * Every webhook the Cloud API format can emit — each inbound message type, replies to
 * interactive and template messages, and the statuses of sends — produced by the real app on
 * the sandbox engine and posted to a CRM endpoint built on whatsapp-api-js. Each payload must
 * (a) carry every key pywa 4.x, pywa 3.x and Chatwoot read (test/support/meta-webhook-requirements.ts),
 * (b) parse with whatsapp-api-js into the expected message or status, and (c) be signed so
 * both ways clients check `X-Hub-Signature-256` accept it.
 */
describe('Cloud API webhook conformance (pywa 3/4, Chatwoot, whatsapp-api-js)', () => {
  let t: TestApp;
  let crm: CloudWebhookReceiver;
  let session: { id: string; mobid: string };
  const bsuid = () => businessUserIdOf(CONTACT_JID, wabaIdOf(null)) ?? assert.fail("a contact's chat has a user id");

  before(async () => {
    crm = await CloudWebhookReceiver.start(SECRET, VERIFY);
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, WEBHOOK_RETRY_BASE_MS: '30', WEBHOOK_RETRY_MAX_MS: '200' } });
    session = await linkedSandboxSession(t, PHONE);
    await api(t).post('/api/webhooks').send({ url: crm.url, sessionId: session.id, format: 'cloud-api', verifyToken: VERIFY, secret: SECRET }).expect(201);
  });
  after(async () => {
    await t?.destroy();
    await crm?.close();
  });

  /** A message from the contact, handed by the sandbox engine to its inbound sink as an engine does. */
  const receive = async (m: Partial<InboundMessage>): Promise<string> => {
    const id = `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
    const engine = sandboxOf(t, session.id) as unknown as SandboxEngine;
    await engine['receive']({ id, chatJid: CONTACT_JID, senderJid: CONTACT_JID, senderPhone: CONTACT, pushName: 'Kerry Fisher', timestamp: Math.floor(Date.now() / 1000), type: 'text', ...m });
    return id;
  };
  const receiveText = async (text: string): Promise<string> =>
    (await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: CONTACT, text }).expect(202)).body.message.id;
  const sendFacade = async (body: Record<string, unknown>): Promise<string> =>
    (await api(t).post(`/v21.0/${session.id}/messages`).send({ messaging_product: 'whatsapp', to: CONTACT, ...body }).expect(200)).body.messages[0].id;

  /** The accepted POST carrying the inbound message with this WhatsApp id. */
  const postOfInbound = (waMessageId: string) =>
    eventually(async () => crm.accepted.find((p) => decodeWamid(p.body.entry[0].changes[0].value.messages?.[0]?.id ?? '')?.id === waMessageId), 10_000);
  const postOfStatus = (wamid: string, status: string) =>
    eventually(async () => crm.accepted.find((p) => p.body.entry[0].changes[0].value.statuses?.[0]?.id === wamid && p.body.entry[0].changes[0].value.statuses[0].status === status), 10_000);
  /** What whatsapp-api-js' `post()` handed to `on.message` for this payload. */
  const parsedMessage = (post: CloudWebhookPost) => crm.messages.find((a) => a.message.id === post.body.entry[0].changes[0].value.messages[0].id);

  const checked = new Map<WebhookKind, CloudWebhookPost>();
  /** The checks every payload gets: the clients' key paths, value shapes, both signature checks. */
  const conform = (kind: WebhookKind, post: CloudWebhookPost, name = 'Kerry Fisher') => {
    checked.set(kind, post);
    assert.deepEqual(missingFor(post.body, kind), [], `${kind}: keys the clients read are missing`);
    assert.equal(post.body.object, 'whatsapp_business_account');
    assert.equal(post.body.entry[0].changes[0].field, 'messages');
    assert.ok(/^[\x00-\x7f]*$/.test(post.raw), `${kind}: the body is pure ASCII`);
    // pywa and Chatwoot: HMAC-SHA256 over the raw bytes; whatsapp-api-js over the unicode-escaped
    // body (the same bytes, since they are ASCII) — it accepted the POST (status 200).
    const header = String(post.headers['x-hub-signature-256'] ?? '');
    assert.match(header, /^sha256=[0-9a-f]{64}$/);
    const expected = createHmac('sha256', SECRET).update(Buffer.from(post.raw, 'utf8')).digest();
    assert.ok(timingSafeEqual(Buffer.from(header.slice(7), 'hex'), expected), `${kind}: signature over the raw body`);
    assert.equal(post.status, 200, `${kind}: whatsapp-api-js accepted the signature and parsed the body`);
    const value = post.body.entry[0].changes[0].value;
    if (MESSAGE_KINDS.includes(kind)) {
      const m = value.messages[0];
      assert.ok(PYWA_MESSAGE_TYPES.includes(m.type), `${kind}: type ${m.type} is one pywa knows`);
      assert.match(m.timestamp, /^\d{10}$/);
      assert.equal(m.from, CONTACT);
      assert.equal(m.from_user_id, bsuid());
      assert.deepEqual(value.contacts, [{ profile: { name }, wa_id: CONTACT, user_id: bsuid() }]);
      assert.equal(value.messages.length, 1);
    } else {
      const s = value.statuses[0];
      assert.ok(PYWA_STATUSES.includes(s.status));
      assert.match(s.timestamp, /^\d{10}$/);
      assert.equal(s.recipient_id, CONTACT);
      assert.equal(s.recipient_user_id, bsuid());
      assert.deepEqual(value.contacts, [{ wa_id: CONTACT, user_id: bsuid() }]);
      assert.equal(value.statuses.length, 1);
    }
  };

  it('posts text with the business-scoped user id on the contact and the message, as whatsapp-api-js reads them', async () => {
    assert.match(bsuid(), /^US\.\d{20}$/);
    const id = await receiveText('Hello there');
    const post = await postOfInbound(id);
    conform('text', post, CONTACT);
    const parsed = await eventually(async () => parsedMessage(post));
    assert.deepEqual(parsed.message.text, { body: 'Hello there' });
    assert.equal(parsed.contact.user_id, bsuid());
    assert.equal(parsed.contact.wa_id, CONTACT);
    assert.deepEqual(parsed.recipient, { phone: CONTACT, bsuid: bsuid(), pbsuid: undefined });
    // A contact without a profile name is named after the number (the sandbox's texts carry none).
    assert.equal(parsed.name, CONTACT);
  });

  it('posts every media type with id, mime_type, base64 sha256 of the bytes, caption, filename, voice and animated', async () => {
    const bytes = {
      image: randomBytes(64),
      video: randomBytes(64),
      audio: randomBytes(64),
      voice: randomBytes(64),
      document: randomBytes(64),
      sticker: randomBytes(64),
    };
    const cases: { kind: WebhookKind; m: Partial<InboundMessage>; expect: Record<string, unknown> }[] = [
      { kind: 'image', m: { type: 'image', caption: 'the damage', media: { mimetype: 'image/jpeg', ref: 'r', sha256: b64sha256(bytes.image) } }, expect: { caption: 'the damage', mime_type: 'image/jpeg', sha256: b64sha256(bytes.image) } },
      { kind: 'video', m: { type: 'video', caption: 'a clip', media: { mimetype: 'video/mp4', ref: 'r', sha256: b64sha256(bytes.video) } }, expect: { caption: 'a clip', mime_type: 'video/mp4', sha256: b64sha256(bytes.video) } },
      { kind: 'audio', m: { type: 'audio', media: { mimetype: 'audio/mpeg', ref: 'r', sha256: b64sha256(bytes.audio) } }, expect: { mime_type: 'audio/mpeg', sha256: b64sha256(bytes.audio), voice: false } },
      { kind: 'voice', m: { type: 'voice', media: { mimetype: 'audio/ogg; codecs=opus', ptt: true, ref: 'r', sha256: b64sha256(bytes.voice) } }, expect: { mime_type: 'audio/ogg; codecs=opus', sha256: b64sha256(bytes.voice), voice: true } },
      { kind: 'document', m: { type: 'document', caption: 'March', media: { mimetype: 'application/pdf', fileName: 'invoice.pdf', ref: 'r', sha256: b64sha256(bytes.document) } }, expect: { caption: 'March', filename: 'invoice.pdf', mime_type: 'application/pdf', sha256: b64sha256(bytes.document) } },
      { kind: 'sticker', m: { type: 'sticker', media: { mimetype: 'image/webp', animated: true, ref: 'r', sha256: b64sha256(bytes.sticker) } }, expect: { mime_type: 'image/webp', sha256: b64sha256(bytes.sticker), animated: true } },
    ];
    for (const c of cases) {
      const waMessageId = await receive(c.m);
      const post = await postOfInbound(waMessageId);
      conform(c.kind, post);
      const type = c.kind === 'voice' ? 'audio' : c.kind;
      const parsed = await eventually(async () => parsedMessage(post));
      assert.equal(parsed.message.type, type);
      const { id, ...rest } = parsed.message[type];
      assert.deepEqual(rest, c.expect, c.kind);
      // The media id is the one the facade's GET /{media-id} serves the stored message's media by.
      const stored = (await api(t).get(`/api/messages?sessionId=${session.id}&direction=inbound`).expect(200)).body.messages.find((x: { waMessageId: string }) => x.waMessageId === waMessageId);
      assert.equal(id, mediaIdOfMessage(stored.id), `${c.kind}: the media id of the stored message`);
      assert.equal(stored.content.media.sha256, c.expect.sha256, `${c.kind}: the hash is kept with the message`);
    }
  });

  it('posts a shared location, a contact card, a reaction, a reply with context, a forward and an unsupported type', async () => {
    const outbound = await sendFacade({ text: { body: 'Your order shipped' } });
    const ourId = decodeWamid(outbound)!.id;

    const location = await postOfInbound(await receive({ type: 'location', location: { latitude: 37.4611978, longitude: -122.2164385, name: 'HQ', address: '1 Hacker Way' } }));
    conform('location', location);
    assert.deepEqual(location.body.entry[0].changes[0].value.messages[0].location, { latitude: 37.4611978, longitude: -122.2164385, name: 'HQ', address: '1 Hacker Way' });

    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nN:Bing;Chandler;;;\nFN:Chandler Bing\nTEL;type=CELL;waid=15555555555:+1 555-555-5555\nEND:VCARD';
    const contacts = await postOfInbound(await receive({ type: 'contact', contact: { displayName: 'Chandler Bing', vcards: [vcard] } }));
    conform('contacts', contacts);
    assert.deepEqual((await eventually(async () => parsedMessage(contacts))).message.contacts, [
      { name: { formatted_name: 'Chandler Bing', first_name: 'Chandler', last_name: 'Bing' }, phones: [{ phone: '+1 555-555-5555', wa_id: '15555555555', type: 'CELL' }] },
    ]);

    const reaction = await postOfInbound(await receive({ type: 'reaction', reaction: { emoji: '👍', targetId: ourId } }));
    conform('reaction', reaction);
    assert.deepEqual((await eventually(async () => parsedMessage(reaction))).message.reaction, { message_id: outbound, emoji: '👍' });

    const reply = await postOfInbound(await receive({ type: 'text', text: 'Thanks!', quotedId: ourId }));
    conform('reply', reply);
    assert.deepEqual(reply.body.entry[0].changes[0].value.messages[0].context, { from: PHONE, id: outbound });

    const forwarded = await postOfInbound(await receive({ type: 'text', text: 'look at this', forwarded: 'frequently_forwarded' }));
    conform('forwarded', forwarded);
    assert.deepEqual(forwarded.body.entry[0].changes[0].value.messages[0].context, { frequently_forwarded: true });

    const unsupported = await postOfInbound(await receive({ type: 'other' }));
    conform('unsupported', unsupported);
    const u = unsupported.body.entry[0].changes[0].value.messages[0];
    assert.equal(u.type, 'unsupported');
    assert.deepEqual(u.errors[0], { code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } });
  });

  it('posts button, list and template quick-reply answers as Meta does, with the context of the offer', async () => {
    const buttons = await sendFacade({
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Confirm?' }, action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }] } },
    });
    const button = await postOfInbound(await receiveText('1'));
    conform('button_reply', button, CONTACT);
    const b = await eventually(async () => parsedMessage(button));
    assert.deepEqual(b.message.interactive, { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } });
    assert.deepEqual(b.message.context, { from: PHONE, id: buttons });

    const list = await sendFacade({
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick a slot' },
        action: { button: 'Slots', sections: [{ title: 'Morning', rows: [{ id: 's9', title: '09:00', description: 'early' }, { id: 's10', title: '10:00' }] }] },
      },
    });
    const row = await postOfInbound(await receiveText('09:00'));
    conform('list_reply', row, CONTACT);
    const l = await eventually(async () => parsedMessage(row));
    assert.deepEqual(l.message.interactive, { type: 'list_reply', list_reply: { id: 's9', title: '09:00', description: 'early' } });
    assert.deepEqual(l.message.context, { from: PHONE, id: list });

    await api(t).post('/api/templates').send({ name: 'promo_conformance', language: 'en_US', components: [{ type: 'BODY', text: 'New offers!' }, { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }] }] }).expect(201);
    const template = await sendFacade({
      type: 'template',
      template: { name: 'promo_conformance', language: { code: 'en_US' }, components: [{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] }] },
    });
    const tap = await postOfInbound(await receiveText('Stop promotions'));
    conform('template_button', tap, CONTACT);
    const tb = await eventually(async () => parsedMessage(tap));
    assert.deepEqual(tb.message.button, { payload: 'STOP', text: 'Stop promotions' });
    assert.deepEqual(tb.message.context, { from: PHONE, id: template });
  });

  it('posts sent, delivered and read with conversation and pricing where Meta sends them, and failed with Meta\'s error', async () => {
    const wamid = await sendFacade({ text: { body: 'tracked' }, biz_opaque_callback_data: 'order-7' });
    const sent = await postOfStatus(wamid, 'sent');
    const delivered = await postOfStatus(wamid, 'delivered');
    const read = await postOfStatus(wamid, 'read');
    conform('status_sent', sent);
    conform('status_delivered', delivered);
    conform('status_read', read);
    const s = sent.body.entry[0].changes[0].value.statuses[0];
    const d = delivered.body.entry[0].changes[0].value.statuses[0];
    const r = read.body.entry[0].changes[0].value.statuses[0];
    assert.match(s.conversation.id, /^[0-9a-f]{32}$/);
    assert.equal(d.conversation.id, s.conversation.id, 'one conversation for the window');
    assert.deepEqual(s.conversation.origin, { type: 'service' });
    assert.ok(Number(s.conversation.expiration_timestamp) > Number(s.timestamp));
    assert.equal(d.conversation.expiration_timestamp, undefined, 'the expiry only on sent');
    assert.deepEqual(s.pricing, { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' });
    assert.deepEqual(d.pricing, s.pricing);
    assert.equal(r.conversation, undefined);
    assert.equal(r.pricing, undefined);
    const parsed = await eventually(async () => crm.statuses.find((x) => x.id === wamid && x.status === 'sent'));
    assert.equal(parsed.phone, CONTACT);
    assert.deepEqual(parsed.recipient, { phone: CONTACT, bsuid: bsuid(), pbsuid: undefined });
    assert.equal(parsed.biz_opaque_callback_data, 'order-7');
    assert.deepEqual(parsed.pricing, s.pricing);
    assert.deepEqual(parsed.conversation, s.conversation);

    const nobody = await sendFacade({ to: '16505550000', text: { body: 'nobody' } });
    const failed = await postOfStatus(nobody, 'failed');
    const f = failed.body.entry[0].changes[0].value.statuses[0];
    // The recipient differs here: check the shared rules by hand, the clients' paths as always.
    assert.deepEqual(missingFor(failed.body, 'status_failed'), []);
    checked.set('status_failed', failed);
    assert.equal(f.recipient_id, '16505550000');
    assert.equal(f.recipient_user_id, businessUserIdOf('16505550000@s.whatsapp.net', wabaIdOf(null)));
    assert.deepEqual(failed.body.entry[0].changes[0].value.contacts, [{ wa_id: '16505550000', user_id: f.recipient_user_id }]);
    assert.equal(f.conversation, undefined);
    assert.equal(f.pricing, undefined);
    assert.deepEqual(f.errors[0], {
      code: 131026,
      title: 'Message Undeliverable',
      message: 'Message Undeliverable',
      error_data: { details: '16505550000 is not on WhatsApp' },
      href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
    });
    const parsedFailure = await eventually(async () => crm.statuses.find((x) => x.id === nobody && x.status === 'failed'));
    assert.equal(parsedFailure.error.code, 131026);
  });

  it('covered every kind of webhook the requirements list, for every client', () => {
    assert.deepEqual([...MESSAGE_KINDS, ...STATUS_KINDS].filter((k) => !checked.has(k)), []);
    for (const req of CLIENT_REQUIREMENTS) {
      for (const [kind, post] of checked) for (const path of req.paths[kind]) assert.notEqual(valueAt(post.body, path), undefined, `${req.client}: ${kind} ${path}`);
    }
  });
});
