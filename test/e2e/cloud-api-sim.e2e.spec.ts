import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { decodeWamid, encodeWamid } from '../../src/cloud-api/wamid';
import { phoneNumberIdOf } from '../../src/common/utils/graph-ids';
import { startSimulator } from '../wa-sim/fixtures';
import type { WaSimulator } from '../wa-sim/wa-simulator';
import { CloudWebhookReceiver } from '../support/cloud-webhook-receiver';
import { simulatorEnv } from '../support/simulator-env';
import { api, eventually } from '../support/http';
import { mediaFixtures, serveFiles, type FileServer } from '../support/media-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The Cloud API facade end to end with the real Baileys engine against the loopback WhatsApp
 * simulator: what a CRM sends through Meta's API reaches the contact's phone.
 */
describe('Cloud API facade through Baileys (loopback WhatsApp simulator)', () => {
  let sim: WaSimulator;
  let stopSim: (() => Promise<void>) | undefined;
  let t: TestApp;
  let files: FileServer;
  let sessionId: string;
  let crm: CloudWebhookReceiver;
  let png: Buffer;
  const PHONE = '15557300001';

  before(async () => {
    ({ sim, close: stopSim } = await startSimulator({ autoReceipts: { delivery: true, read: false } }));
    const fx = await mediaFixtures();
    png = fx.png;
    files = await serveFiles({ 'photo.png': fx.png });
    crm = await CloudWebhookReceiver.start('sim-app-secret-0123456789', 'vt');
    t = await startTestApp({
      env: simulatorEnv(sim.url),
    });
    const { body } = await api(t).post('/api/sessions').send({ name: 'crm' }).expect(201);
    sessionId = body.session.sessionId;
    const qr = await api(t).get(`/api/sessions/${sessionId}/qr`).expect(200);
    await sim.scan(qr.body.qr, PHONE);
    await eventually(async () => (await api(t).get(`/api/sessions/${sessionId}`).expect(200)).body.session.status === 'READY', 15_000);
    await api(t).post('/api/webhooks').send({ url: crm.url, sessionId, format: 'cloud-api', verifyToken: 'vt', secret: 'sim-app-secret-0123456789' }).expect(201);
  });
  after(async () => {
    await t?.destroy();
    await stopSim?.();
    await files?.close();
    await crm?.close();
  });

  const send = (body: Record<string, unknown>) => api(t).post(`/v21.0/${PHONE}/messages`).send({ messaging_product: 'whatsapp', ...body });

  it('delivers a text sent through the facade to the contact, under the WhatsApp id the wamid carries', async () => {
    const alice = sim.addContact('15557400001', 'Alice');
    const res = await send({ to: `+${alice.phoneNumber}`, type: 'text', text: { body: 'Hello from a CRM' } }).expect(200);
    assert.deepEqual(res.body.contacts, [{ input: `+${alice.phoneNumber}`, wa_id: alice.phoneNumber }]);
    const key = decodeWamid(res.body.messages[0].id)!;
    const got = await sim.waitForMessage((m) => m.id === key.id, 15_000);
    assert.equal(got.text, 'Hello from a CRM');
    assert.equal(got.to, alice.phoneNumber);
  });

  it('delivers an image by link and interactive buttons as text the contact can answer', async () => {
    const bob = sim.addContact('15557400002', 'Bob');
    const image = await send({ to: bob.phoneNumber, type: 'image', image: { link: `${files.url}/photo.png`, caption: 'Your order' } }).expect(200);
    const img = await sim.waitForMessage((m) => m.id === decodeWamid(image.body.messages[0].id)!.id, 15_000);
    assert.equal(img.type, 'image');
    assert.equal(img.caption, 'Your order');
    assert.equal(img.media?.verified, true);

    const buttons = await send({
      to: bob.phoneNumber,
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Confirm?' }, action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }] } },
    }).expect(200);
    const text = await sim.waitForMessage((m) => m.id === decodeWamid(buttons.body.messages[0].id)!.id, 15_000);
    assert.equal(text.text, 'Confirm?\n\n1. Yes\n2. No');
  });

  it("marks the contact's message read: the contact gets the blue ticks", async () => {
    const carol = sim.addContact('15557400003', 'Carol');
    const { id } = await sim.contactSend(carol.phoneNumber, PHONE, 'are you there?');
    const stored = await eventually(async () => {
      const res = await api(t).get(`/api/messages?sessionId=${sessionId}&direction=inbound`).expect(200);
      return res.body.messages.find((m: { waMessageId: string }) => m.waMessageId === id);
    }, 10_000);
    const wamid = encodeWamid({ chatJid: stored.chat, fromMe: false, id });
    const res = await send({ status: 'read', message_id: wamid, typing_indicator: { type: 'text' } }).expect(200);
    assert.deepEqual(res.body, { success: true });
    await eventually(async () => sim.message(id)?.receipts.read, 10_000);
  });

  it("posts the contact's reply (with a downloadable media id) and the receipts to the CRM in Meta format", async () => {
    const dave = sim.addContact('15557400004', 'Dave');
    const res = await send({ to: dave.phoneNumber, text: { body: 'Send us a photo of the damage' }, biz_opaque_callback_data: 'ticket-9' }).expect(200);
    const wamid = res.body.messages[0].id;
    const delivered = await eventually(async () => crm.statuses.find((s) => s.id === wamid && s.status === 'delivered'), 15_000);
    assert.equal(delivered.biz_opaque_callback_data, 'ticket-9');
    assert.ok(crm.statuses.some((s) => s.id === wamid && s.status === 'sent'));
    sim.receipt(decodeWamid(wamid)!.id, 'read');
    await eventually(async () => crm.statuses.find((s) => s.id === wamid && s.status === 'read'), 15_000);

    await sim.contactSend(dave.phoneNumber, PHONE, { image: png, mimetype: 'image/png', caption: 'here it is' });
    const got = await eventually(async () => crm.messages.find((m) => m.from === dave.phoneNumber && m.message.type === 'image'), 15_000);
    assert.equal(got.phoneID, phoneNumberIdOf(sessionId), 'the canonical phone number id');
    assert.equal(got.message.image.caption, 'here it is');
    // Meta's webhook sha256: base64 of the file's SHA-256, as WhatsApp announced it with the message.
    assert.equal(got.message.image.sha256, createHash('sha256').update(png).digest('base64'));
    const info = await api(t).get(`/v21.0/${got.message.image.id}`).expect(200);
    const bytes = await api(t).get(info.body.url.slice(t.url.length)).buffer(true).expect(200);
    assert.ok(Buffer.from(bytes.body).equals(png), 'the media id from the webhook downloads the contact\'s bytes');
    assert.deepEqual([info.body.sha256, info.body.file_size, info.body.mime_type], [createHash('sha256').update(png).digest('hex'), png.length, 'image/png']);
  });
});
