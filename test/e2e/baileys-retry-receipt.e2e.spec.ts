import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { proto } from '@whiskeysockets/baileys';
import { BaileysEngine } from '../../src/whatsapp/baileys/baileys.engine';
import { PgSentMessageStore } from '../../src/messages/sent-message.store';
import { startSimulator } from '../wa-sim/fixtures';
import type { WaSimulator } from '../wa-sim/wa-simulator';
import type { SimMessage } from '../wa-sim/message-log';
import { api, eventually } from '../support/http';
import { mediaFixtures, serveFiles, type FileServer } from '../support/media-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { simulatorEnv } from '../support/simulator-env';

/**
 * Retry receipts: a contact's device that could not decrypt a message asks the sender for it
 * again, and Baileys re-sends what `getMessage` returns. Switchboard keeps what it sent in
 * Postgres, so this works after a gateway restart, when Baileys' in-memory cache is gone.
 */
describe('Re-sending on retry receipts after a gateway restart (loopback WhatsApp simulator)', () => {
  let sim: WaSimulator;
  let stopSim: (() => Promise<void>) | undefined;
  let t: TestApp;
  let files: FileServer;
  const PHONE = '15557200001';
  let sessionId: string;

  const env = () => simulatorEnv(sim.url);

  const status = async () => (await api(t).get(`/api/sessions/${sessionId}`).expect(200)).body.session.status;
  const waitReady = () => eventually(async () => (await status()) === 'READY', 10_000);
  const send = async (body: Record<string, unknown>) =>
    (await api(t).post('/api/messages/send').send({ sessionId, ...body }).expect(202)).body.message as { id: string; waMessageId: string };
  const sentStatus = (id: string) =>
    eventually(async () => {
      const m = (await api(t).get(`/api/messages/${id}`).expect(200)).body.message;
      return ['SENT', 'DELIVERED', 'READ'].includes(m.status) ? m : null;
    }, 15_000);
  /** A copy the contact decrypted after `first`, with the same id. */
  const resent = (first: SimMessage, timeoutMs = 10_000) => sim.waitForMessage((m) => m.id === first.id && m !== first, timeoutMs);
  const copies = (id: string) => sim.messages({ direction: 'out' }).filter((m) => m.id === id).length;
  const engine = () => {
    const e = t.registry.readyEngine(sessionId);
    assert.ok(e instanceof BaileysEngine, 'a live Baileys engine');
    return e;
  };

  let text: SimMessage;
  let image: SimMessage;
  const alice = () => sim.contacts().find((c) => c.phoneNumber === '15557200101')!;

  before(async () => {
    ({ sim, close: stopSim } = await startSimulator());
    files = await serveFiles({ 'photo.png': (await mediaFixtures()).png });
    t = await startTestApp({ env: env() });
    const { body } = await api(t).post('/api/sessions').send({ name: PHONE }).expect(201);
    sessionId = body.session.sessionId;
    const qr = await api(t).get(`/api/sessions/${sessionId}/qr`).expect(200);
    await sim.scan(qr.body.qr, PHONE);
    await waitReady();
    sim.addContact('15557200101', 'Alice');
  });
  after(async () => {
    await t?.destroy();
    await stopSim?.();
    await files?.close();
  });

  it('keeps the sent text and image in the database', async () => {
    const t1 = await send({ to: alice().phoneNumber, type: 'text', text: 'Your order #4411 has shipped' });
    const i1 = await send({ to: alice().phoneNumber, type: 'image', url: `${files.url}/photo.png`, caption: 'your receipt' });
    text = await sim.waitForMessage((m) => m.id === t1.waMessageId, 10_000);
    image = await sim.waitForMessage((m) => m.id === i1.waMessageId, 15_000);
    assert.equal(text.text, 'Your order #4411 has shipped');
    assert.equal(image.media?.verified, true);
    await sentStatus(t1.id);
    await sentStatus(i1.id);
    const rows: { wa_message_id: string; wa_proto: Buffer | null }[] = await t.dataSource.query(
      `SELECT wa_message_id, wa_proto FROM message WHERE session_id = $1 AND direction = 'outbound'`,
      [sessionId],
    );
    const stored = new Map(rows.map((r) => [r.wa_message_id, r.wa_proto]));
    assert.ok(stored.get(text.id) && stored.get(image.id), 'both rows carry the sent message');
    const storedText = proto.Message.decode(stored.get(text.id)!);
    assert.equal(storedText.conversation || storedText.extendedTextMessage?.text, text.text);
    const storedImage = proto.Message.decode(stored.get(image.id)!).imageMessage;
    assert.equal(storedImage?.caption, 'your receipt');
    assert.equal(Buffer.from(storedImage!.fileSha256!).toString('hex'), image.fileSha256);
  });

  it('re-sends the same text and image on retry receipts after the gateway restarted', async () => {
    const { database, dataDir } = t;
    await t.close();
    await eventually(async () => sim.accounts().find((a) => a.phoneNumber === PHONE)?.connectedDevices.length === 0, 5000);
    // A new process: Baileys' recent-message cache and retry counters are gone.
    t = await startTestApp({ env: env(), database, dataDir });
    await waitReady();

    sim.retryReceipt(text.id);
    const again = await resent(text);
    assert.equal(again.type, 'text');
    assert.equal(again.text, 'Your order #4411 has shipped');
    assert.equal(again.to, alice().phoneNumber);

    sim.retryReceipt(image.id);
    const imageAgain = await resent(image, 15_000);
    assert.equal(imageAgain.type, 'image');
    assert.equal(imageAgain.caption, 'your receipt');
    assert.equal(imageAgain.fileSha256, image.fileSha256);
    const key = (m: SimMessage) => Buffer.from((m.message as proto.IMessage).imageMessage!.mediaKey!).toString('hex');
    assert.equal(key(imageAgain), key(image), 'the same media key: the uploaded file is not re-encrypted');
    assert.equal(imageAgain.media?.verified, true, 'the contact can still download and decrypt the image');
    sim.assertNoErrors();
  });

  it('answers getMessage only for messages Switchboard sent', async () => {
    const e = engine();
    const got = await e.getMessage(text.id);
    assert.equal(got?.conversation || got?.extendedTextMessage?.text, 'Your order #4411 has shipped');
    const { id: inboundId } = await sim.contactSend(alice().phoneNumber, PHONE, 'a message the gateway received');
    await eventually(async () => {
      const res = await api(t).get(`/api/messages?sessionId=${sessionId}&direction=inbound`).expect(200);
      return res.body.messages.some((m: { waMessageId: string }) => m.waMessageId === inboundId);
    }, 10_000);
    assert.equal(await e.getMessage(inboundId), undefined, 'an inbound message');
    assert.equal(await e.getMessage('3EB0NEVERSENTBYSWITCHBOARD'), undefined, 'an id it never sent');
    assert.equal(await e.getMessage(undefined), undefined);
  });

  it('re-sends nothing for a message whose content it does not have', async () => {
    const m = await send({ to: alice().phoneNumber, type: 'text', text: 'forgotten' });
    const first = await sim.waitForMessage((x) => x.id === m.waMessageId, 10_000);
    await sentStatus(m.id);
    // As for a message sent before this column existed: nothing stored, restart drops the cache.
    await t.dataSource.query(`UPDATE message SET wa_proto = NULL WHERE id = $1`, [m.id]);
    const old = engine();
    await api(t).post(`/api/sessions/${sessionId}/restart`).expect(200);
    await eventually(async () => (t.registry.readyEngine(sessionId) ?? old) !== old, 10_000);
    sim.retryReceipt(first.id);
    await assert.rejects(resent(first, 1500), /no matching message/);
    assert.equal(copies(first.id), 1);
  });

  it('still sends when the message cannot be stored', async () => {
    const store = t.app.get(PgSentMessageStore);
    const save = store.save;
    store.save = async () => {
      throw new Error('database unavailable');
    };
    try {
      const m = await send({ to: alice().phoneNumber, type: 'text', text: 'sent anyway' });
      await sim.waitForMessage((x) => x.id === m.waMessageId, 10_000);
      const row = await sentStatus(m.id);
      assert.equal(row.attempts, 1, 'not retried');
      const [{ wa_proto }] = await t.dataSource.query(`SELECT wa_proto FROM message WHERE id = $1`, [m.id]);
      assert.equal(wa_proto, null);
      assert.equal(copies(m.waMessageId), 1, 'sent once');
    } finally {
      store.save = save;
    }
  });
});
