import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { decodeWamid } from '../../src/cloud-api/wamid';
import type { InboundMessage } from '../../src/whatsapp/engine/engine-events';
import { startSimulator } from '../wa-sim/fixtures';
import type { WaSimulator } from '../wa-sim/wa-simulator';
import { linkedSandboxSession, sandboxOf } from '../support/cloud-api';
import { CloudWebhookReceiver } from '../support/cloud-webhook-receiver';
import { api, eventually } from '../support/http';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { simulatorEnv } from '../support/simulator-env';

/**
 * Inbound promises of the API docs (docs/api.md) that no other spec proves: the quoted id of a reply is stored
 * and shown, LID-addressed chats are stored under the phone-number JID when WhatsApp told us
 * the number (and stay under the LID otherwise), and a reply to a degraded list reaches Cloud
 * API webhooks as the `list_reply` Meta would report for the tap.
 */

type Stored = {
  id: string;
  waMessageId: string;
  direction: string;
  chat: string;
  from: string | null;
  type: string;
  status: string;
  content: Record<string, unknown> & { text?: string; caption?: string; quotedId?: string; media?: Record<string, unknown> };
};

/** A contact's message as the engine hands it to its inbound sink (what the Baileys mapper produces). */
async function emitInbound(t: TestApp, sessionId: string, message: InboundMessage): Promise<void> {
  await (sandboxOf(t, sessionId) as unknown as { receive(m: InboundMessage): Promise<void> }).receive(message);
}

const uniqueId = (prefix: string) => `${prefix}${Date.now().toString(16).toUpperCase()}${Math.floor(Math.random() * 1e6)}`;

describe('Inbound: quoted replies and LID chats (sandbox engine)', () => {
  let t: TestApp;
  let hooks: WebhookReceiver;

  before(async () => {
    hooks = await WebhookReceiver.start();
    t = await startTestApp({
      env: { ...FAST_QUEUE_ENV, SANDBOX_RECEIPT_DELAY_MS: '0', WEBHOOK_POLL_INTERVAL_MS: '50', WEBHOOK_RETRY_BASE_MS: '30' },
    });
  });
  after(async () => {
    await t?.destroy();
    await hooks?.close();
  });

  const inboundOf = async (sessionId: string, waMessageId: string): Promise<Stored> =>
    eventually(async () => {
      const res = await api(t).get(`/api/messages?sessionId=${sessionId}&direction=inbound`).expect(200);
      return (res.body.messages as Stored[]).find((m) => m.waMessageId === waMessageId) ?? null;
    });
  const hookedMessage = (waMessageId: string): Promise<Stored> =>
    eventually(async () => hooks.accepted.map((r) => r.body?.data?.message as Stored | undefined).find((m) => m?.waMessageId === waMessageId) ?? null, 10_000);

  it('stores the id a reply quotes and shows it in history, in the message and in the message.received webhook', async () => {
    const { id } = await linkedSandboxSession(t, '15559600001');
    await api(t).post('/api/webhooks').send({ url: `${hooks.url}/quoted`, events: ['message.received'], sessionId: id }).expect(201);
    const contact = '15559610001';
    const jid = `${contact}@s.whatsapp.net`;

    // What we said first, and a plain message from the contact.
    const ours = await api(t).post('/api/messages/send').send({ sessionId: id, to: contact, type: 'text', text: 'Is Tuesday fine?' }).expect(202);
    const ourWaId: string = ours.body.message.waMessageId;
    assert.ok(ourWaId);
    await eventually(async () => (await api(t).get(`/api/messages/${ours.body.message.id}`)).body.message.status !== 'QUEUED');
    const plain = await api(t).post(`/api/sessions/${id}/sandbox/inbound`).send({ from: contact, text: 'hello' }).expect(202);
    const plainStored = await inboundOf(id, plain.body.message.id);
    assert.equal(plainStored.content.quotedId, undefined, 'a message that quotes nothing has no quoted id');

    // The contact answers by quoting our message (WhatsApp's contextInfo.stanzaId).
    const replyId = uniqueId('QUOTEDREPLY');
    await emitInbound(t, id, {
      id: replyId, chatJid: jid, senderJid: jid, senderPhone: contact, pushName: 'Quinn', timestamp: Math.floor(Date.now() / 1000),
      type: 'text', text: 'Yes, Tuesday works', quotedId: ourWaId,
    });
    const listed = await inboundOf(id, replyId);
    assert.equal(listed.content.text, 'Yes, Tuesday works');
    assert.equal(listed.content.quotedId, ourWaId);
    assert.equal(listed.chat, jid);
    assert.equal(listed.from, jid);
    const one = await api(t).get(`/api/messages/${listed.id}`).expect(200);
    assert.equal(one.body.message.content.quotedId, ourWaId);

    // A captioned image quoting the contact's own earlier message keeps type, caption, media and quote.
    const imageId = uniqueId('QUOTEDIMAGE');
    await emitInbound(t, id, {
      id: imageId, chatJid: jid, senderJid: jid, senderPhone: contact, pushName: 'Quinn', timestamp: Math.floor(Date.now() / 1000),
      type: 'image', caption: 'this one', media: { mimetype: 'image/jpeg', fileName: null, size: 1234, ref: 'sandbox-media-ref' }, quotedId: plain.body.message.id,
    });
    const image = (await api(t).get(`/api/messages/${(await inboundOf(id, imageId)).id}`).expect(200)).body.message as Stored;
    assert.equal(image.type, 'image');
    assert.equal(image.content.caption, 'this one');
    assert.equal(image.content.quotedId, plain.body.message.id);
    assert.equal(image.content.media?.mimetype, 'image/jpeg');
    assert.equal(image.content.media?.ref, undefined, 'the engine reference stays internal');

    // The message.received webhook carries the same stored message, quoted id included.
    const hooked = await hookedMessage(replyId);
    assert.equal(hooked.content.quotedId, ourWaId);
    assert.equal(hooked.id, listed.id);
    assert.equal((await hookedMessage(imageId)).content.quotedId, plain.body.message.id);
    assert.equal((await hookedMessage(plain.body.message.id)).content.quotedId, undefined);
  });

  it('keeps a LID chat under the LID when WhatsApp did not tell us the number', async () => {
    const { id } = await linkedSandboxSession(t, '15559600002');
    const lid = '246813579024680@lid';
    // The mapper's event for a LID-addressed message without sender_pn / remoteJidAlt.
    const waId = uniqueId('LIDONLY');
    await emitInbound(t, id, { id: waId, chatJid: lid, senderJid: lid, senderPhone: null, pushName: 'Lee', timestamp: Math.floor(Date.now() / 1000), type: 'text', text: 'from a LID' });
    const stored = await inboundOf(id, waId);
    assert.equal(stored.chat, lid);
    assert.equal(stored.from, lid);
    const byChat = await api(t).get(`/api/messages?sessionId=${id}&direction=inbound&chat=${encodeURIComponent(lid)}`).expect(200);
    assert.deepEqual(byChat.body.messages.map((m: Stored) => m.waMessageId), [waId]);
    const contacts = await eventually(async () => {
      const res = await api(t).get(`/api/sessions/${id}/contacts`).expect(200);
      return res.body.contacts.length ? res.body.contacts : null;
    });
    assert.deepEqual(contacts.map((c: { jid: string; phoneNumber: string | null }) => [c.jid, c.phoneNumber]), [[lid, null]], 'no phone number is invented');
  });
});

describe('Inbound: a LID-addressed message with the sender\'s number (Baileys, loopback WhatsApp simulator)', () => {
  let sim: WaSimulator;
  let stopSim: (() => Promise<void>) | undefined;
  let t: TestApp;
  const PHONE = '15557200001';

  before(async () => {
    ({ sim, close: stopSim } = await startSimulator({ autoReceipts: { delivery: true, read: true } }));
    t = await startTestApp({
      env: simulatorEnv(sim.url),
    });
  });
  after(async () => {
    await t?.destroy();
    await stopSim?.();
  });

  it('stores a chat WhatsApp addressed by LID under the contact\'s phone-number JID (sender_pn → remoteJidAlt)', async () => {
    const { body } = await api(t).post('/api/sessions').send({ name: 'lid' }).expect(201);
    const id = body.session.sessionId;
    const qr = await api(t).get(`/api/sessions/${id}/qr`).expect(200);
    await sim.scan(qr.body.qr, PHONE);
    await eventually(async () => (await api(t).get(`/api/sessions/${id}`).expect(200)).body.session.status === 'READY', 15_000);

    const dana = sim.addContact('15557200002', 'Dana');
    assert.notEqual(dana.lidJid, dana.jid);
    // from="<lid>@lid" sender_pn="<pn>@s.whatsapp.net" addressing_mode="lid", as WhatsApp sends for LID chats.
    const sent = await sim.contactSend(dana.phoneNumber, PHONE, 'hi over LID', { addressing: 'lid' });
    const stored = await eventually(async () => {
      const res = await api(t).get(`/api/messages?sessionId=${id}&direction=inbound`).expect(200);
      return (res.body.messages as Stored[]).find((m) => m.waMessageId === sent.id) ?? null;
    }, 10_000);
    assert.equal(stored.content.text, 'hi over LID');
    assert.equal(stored.chat, `${dana.phoneNumber}@s.whatsapp.net`);
    assert.equal(stored.from, `${dana.phoneNumber}@s.whatsapp.net`);
    const byNumber = await api(t).get(`/api/messages?sessionId=${id}&direction=inbound&chat=${dana.phoneNumber}`).expect(200);
    assert.deepEqual(byNumber.body.messages.map((m: Stored) => m.waMessageId), [sent.id]);
    const contacts = await api(t).get(`/api/sessions/${id}/contacts?q=${dana.phoneNumber}`).expect(200);
    assert.equal(contacts.body.contacts[0]?.jid, `${dana.phoneNumber}@s.whatsapp.net`);
    assert.equal(contacts.body.contacts[0]?.phoneNumber, dana.phoneNumber);
  });
});

const SECRET = 'meta-app-secret-inbound-promises';
const VERIFY = 'inbound-promises-verify';

describe('Cloud API webhooks: a reply to a degraded list is a list_reply', () => {
  let t: TestApp;
  let crm: CloudWebhookReceiver;
  let session: { id: string; mobid: string };
  const PHONE = '15550400000';

  before(async () => {
    crm = await CloudWebhookReceiver.start(SECRET, VERIFY);
    t = await startTestApp({
      env: { ...FAST_QUEUE_ENV, SANDBOX_RECEIPT_DELAY_MS: '0', WEBHOOK_RETRY_BASE_MS: '30', WEBHOOK_POLL_INTERVAL_MS: '50' },
    });
    session = await linkedSandboxSession(t, PHONE);
    await api(t).post('/api/webhooks').send({ url: crm.url, sessionId: session.id, format: 'cloud-api', verifyToken: VERIFY, secret: SECRET }).expect(201);
  });
  after(async () => {
    await t?.destroy();
    await crm?.close();
  });

  const reply = async (from: string, text: string) => {
    const { body } = await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from, text }).expect(202);
    const waId: string = body.message.id;
    return eventually(async () => crm.messages.find((m) => decodeWamid(m.message.id)?.id === waId), 10_000);
  };

  it('turns a row\'s number or title into interactive.list_reply with that row\'s id and title', async () => {
    const contact = '16505557777';
    const res = await api(t)
      .post(`/v21.0/${session.id}/messages`)
      .send({
        messaging_product: 'whatsapp',
        to: contact,
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'When should we come?' },
          action: {
            button: 'Pick a slot',
            sections: [
              { title: 'Morning', rows: [{ id: 'slot-9', title: '09:00', description: 'early bird' }, { id: 'slot-10', title: '10:00' }] },
              { title: 'Afternoon', rows: [{ id: 'slot-14', title: 'After lunch' }] },
            ],
          },
        },
      })
      .expect(200);
    const listWamid: string = res.body.messages[0].id;

    // "2": the second row (numbered across sections).
    const byNumber = await reply(contact, '2');
    assert.equal(byNumber.from, contact);
    assert.equal(byNumber.message.type, 'interactive');
    assert.deepEqual(byNumber.message.interactive, { type: 'list_reply', list_reply: { id: 'slot-10', title: '10:00' } });
    assert.deepEqual(byNumber.message.context, { from: PHONE, id: listWamid });

    // "3": the first row of the second section, so rows are numbered across sections.
    const third = await reply(contact, '3');
    assert.deepEqual(third.message.interactive, { type: 'list_reply', list_reply: { id: 'slot-14', title: 'After lunch' } });

    // A row's title (any case); "1." with the row's description.
    const byTitle = await reply(contact, 'after LUNCH');
    assert.deepEqual(byTitle.message.interactive, { type: 'list_reply', list_reply: { id: 'slot-14', title: 'After lunch' } });
    assert.deepEqual(byTitle.message.context, { from: PHONE, id: listWamid });
    const first = await reply(contact, '1.');
    assert.deepEqual(first.message.interactive, { type: 'list_reply', list_reply: { id: 'slot-9', title: '09:00', description: 'early bird' } });

    // Anything else stays a text; and another chat's "2" is not an answer to this list.
    const other = await reply(contact, 'maybe next week');
    assert.equal(other.message.type, 'text');
    assert.equal(other.message.text.body, 'maybe next week');
    assert.equal(other.message.interactive, undefined);
    const stranger = await reply('16505558888', '2');
    assert.equal(stranger.message.type, 'text');
    assert.equal(stranger.message.text.body, '2');
  });
});
