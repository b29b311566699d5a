import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { EventBus } from '../../src/events/event-bus';
import type { DomainEventOf } from '../../src/events/domain-events';
import { startSimulator } from '../wa-sim/fixtures';
import type { WaSimulator } from '../wa-sim/wa-simulator';
import { api, eventually } from '../support/http';
import { WebhookReceiver, verifySignature } from '../support/webhook-receiver';
import { mediaFixtures, serveFiles, type FileServer } from '../support/media-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { simulatorEnv } from '../support/simulator-env';
import { holds } from '../support/wait';

/**
 * The real Baileys engine through the whole product, against the loopback WhatsApp
 * simulator: linking (QR and pairing code), the 515 restart, restart of the gateway,
 * transient drops, unlinking, replaced connections, sending with receipts, inbound.
 */
describe('Baileys engine end to end (loopback WhatsApp simulator)', () => {
  let sim: WaSimulator;
  let stopSim: (() => Promise<void>) | undefined;
  let t: TestApp;
  let files: FileServer;
  const inbound: DomainEventOf<'message.received'>[] = [];

  const env = () => ({
    ...simulatorEnv(sim.url, { REPLACED_RECONNECT_DELAY_MS: '200' }),
    WEBHOOK_RETRY_BASE_MS: '200',
    WEBHOOK_POLL_INTERVAL_MS: '100',
  });

  async function boot(database?: TestApp['database'], dataDir?: string): Promise<TestApp> {
    const app = await startTestApp({ env: env(), database, dataDir });
    app.app.get(EventBus).on('message.received', (e) => void inbound.push(e));
    return app;
  }

  before(async () => {
    ({ sim, close: stopSim } = await startSimulator({ autoReceipts: { delivery: true, read: true } }));
    const fx = await mediaFixtures();
    files = await serveFiles({ 'photo.png': fx.png, 'tone.wav': fx.wav });
    t = await boot();
  });
  after(async () => {
    await t?.destroy();
    await stopSim?.();
    await files?.close();
  });

  const session = async (id: string) => (await api(t).get(`/api/sessions/${id}`).expect(200)).body.session;
  const waitStatus = (id: string, status: string, timeoutMs = 10_000) =>
    eventually(async () => ((await session(id)).status === status ? session(id) : null), timeoutMs);
  const history = async (id: string) =>
    (await api(t).get(`/api/sessions/${id}/status-history`).expect(200)).body.history.map((h: { status: string }) => h.status).reverse();

  async function linkByQr(phoneNumber: string): Promise<{ id: string; lid: string }> {
    const { body } = await api(t).post('/api/sessions').send({ name: phoneNumber }).expect(201);
    const id = body.session.sessionId;
    const qr = await api(t).get(`/api/sessions/${id}/qr`).expect(200);
    assert.match(qr.body.qr, /^https:\/\/wa\.me\/settings\/linked_devices#|^2@/);
    const link = await sim.scan(qr.body.qr, phoneNumber);
    await waitStatus(id, 'READY');
    return { id, lid: link.lid };
  }

  let main: { id: string; lid: string };
  const MAIN_PHONE = '15557000001';

  it('links by QR: the 515 restart is handled and the session is READY with the account', async () => {
    main = await linkByQr(MAIN_PHONE);
    const s = await session(main.id);
    assert.equal(s.mobile_number, MAIN_PHONE);
    assert.equal(s.mobid, main.lid);
    assert.equal(s.engine, 'baileys');
    const statuses = await history(main.id);
    assert.deepEqual(statuses.slice(-3), ['REGISTERING', 'CONNECTING', 'READY']);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM wa_auth_key WHERE session_id = $1`, [main.id]);
    assert.ok(n > 10, `credentials and Signal keys are in the database (${n} rows)`);
  });

  it('links with a pairing code for method phone', async () => {
    const phone = '15557000002';
    const { body } = await api(t).post('/api/sessions').send({ method: 'phone', phoneNumber: `+${phone}` }).expect(201);
    const code = await api(t).get(`/api/sessions/${body.session.sessionId}/qr`).expect(200);
    assert.equal(code.body.method, 'phone');
    assert.match(code.body.pairingCode, /^[A-Z0-9]{8}$/);
    await sim.pair(code.body.pairingCode, phone);
    const s = await waitStatus(body.session.sessionId, 'READY');
    assert.equal(s.mobile_number, phone);
    assert.match(s.mobid, /^\d{6,}$/);
  });

  it('sends a text that the contact decrypts, and maps delivery and read receipts', async () => {
    const alice = sim.addContact('15557100001', 'Alice');
    const res = await api(t).post('/api/messages/send').send({ sessionId: MAIN_PHONE, to: alice.phoneNumber, type: 'text', text: 'Hello Alice' }).expect(202);
    const got = await sim.waitForMessage((m) => m.id === res.body.message.waMessageId, 10_000);
    assert.equal(got.text, 'Hello Alice');
    assert.equal(got.to, alice.phoneNumber);
    const read = await eventually(async () => {
      const m = (await api(t).get(`/api/messages/${res.body.message.id}`).expect(200)).body.message;
      return m.status === 'READ' ? m : null;
    }, 10_000);
    assert.ok(read.deliveredAt && read.readAt);
  });

  it('sends an image and a voice note the contact can play', async () => {
    const bob = sim.addContact('15557100002', 'Bob');
    const image = await api(t).post('/api/messages/send').send({ sessionId: main.id, to: bob.phoneNumber, type: 'image', url: `${files.url}/photo.png`, caption: 'look' }).expect(202);
    const voice = await api(t).post('/api/messages/send').send({ sessionId: main.id, to: bob.phoneNumber, type: 'voice', url: `${files.url}/tone.wav` }).expect(202);
    const img = await sim.waitForMessage((m) => m.id === image.body.message.waMessageId, 15_000);
    assert.equal(img.type, 'image');
    assert.equal(img.caption, 'look');
    assert.equal(img.mimetype, 'image/jpeg');
    assert.equal(img.media?.verified, true);
    const note = await sim.waitForMessage((m) => m.id === voice.body.message.waMessageId, 15_000);
    assert.equal(note.type, 'audio');
    assert.equal(note.ptt, true);
    assert.equal(note.mimetype, 'audio/ogg; codecs=opus');
    assert.ok((note.seconds ?? 0) > 0);
    assert.ok((note.waveform ?? 0) > 0);
    assert.equal(note.media?.verified, true);
  });

  it('speaks text as a voice note (offline TTS) that the contact receives as a real PTT', async () => {
    const erin = sim.addContact('15557100005', 'Erin');
    const res = await api(t).post('/api/messages/send').send({ sessionId: main.id, to: erin.phoneNumber, type: 'voice', text: 'Your parcel is on its way.' }).expect(202);
    const note = await sim.waitForMessage((m) => m.id === res.body.message.waMessageId, 20_000);
    assert.equal(note.type, 'audio');
    assert.equal(note.ptt, true);
    assert.equal(note.mimetype, 'audio/ogg; codecs=opus');
    assert.ok((note.seconds ?? 0) > 0);
    assert.equal(note.waveform, 64);
    assert.equal(note.media?.verified, true);
  });

  it('surfaces an inbound message from a contact as an engine event', async () => {
    const carol = sim.addContact('15557100003', 'Carol');
    const { id } = await sim.contactSend(carol.phoneNumber, MAIN_PHONE, 'hi from Carol');
    type Stored = { waMessageId: string; direction: string; chat: string; content: { text: string; pushName?: string } };
    const event = await eventually(async () => inbound.find((e) => (e.data.message as Stored).waMessageId === id), 10_000);
    assert.equal(event.sessionId, main.id);
    const stored = event.data.message as Stored;
    assert.equal(stored.content.text, 'hi from Carol');
    assert.equal(stored.direction, 'inbound');
    assert.equal(stored.chat, `${carol.phoneNumber}@s.whatsapp.net`);
    const history = await api(t).get(`/api/messages?sessionId=${main.id}&direction=inbound&chat=${carol.phoneNumber}`).expect(200);
    assert.deepEqual(history.body.messages.map((m: Stored) => m.waMessageId), [id]);
  });

  it('stores inbound media and serves it on request (lazy download through Baileys)', async () => {
    const fay = sim.addContact('15557100006', 'Fay');
    const fx = await mediaFixtures();
    const jpeg = await (await import('sharp')).default(fx.png).jpeg().toBuffer();
    const { id } = await sim.contactSend(fay.phoneNumber, MAIN_PHONE, { image: jpeg, mimetype: 'image/jpeg', caption: 'our menu' });
    const stored = await eventually(async () => {
      const res = await api(t).get(`/api/messages?sessionId=${main.id}&direction=inbound&chat=${fay.phoneNumber}`).expect(200);
      return res.body.messages.find((m: { waMessageId: string }) => m.waMessageId === id);
    }, 10_000);
    assert.equal(stored.type, 'image');
    assert.equal(stored.content.caption, 'our menu');
    assert.equal(stored.content.media.mimetype, 'image/jpeg');
    assert.equal(stored.content.media.ref, undefined, 'engine references stay internal');
    const media = await api(t).get(`/api/messages/${stored.id}/media`).buffer(true).expect(200);
    assert.equal(media.headers['content-type'], 'image/jpeg');
    assert.ok(Buffer.compare(media.body, jpeg) === 0, 'the bytes the contact sent');
  });

  it('delivers a contact message to a signed webhook once, also when the receiver was down for a while', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const hook = await api(t).post('/api/webhooks').send({ url: `${receiver.url}/hook`, events: ['message.received'], sessionId: main.id }).expect(201);
      const secret = hook.body.webhook.secret as string;
      const gus = sim.addContact('15557100007', 'Gus');
      receiver.down(503);
      const first = await sim.contactSend(gus.phoneNumber, MAIN_PHONE, 'first while you were down');
      const second = await sim.contactSend(gus.phoneNumber, MAIN_PHONE, 'second while you were down');
      await eventually(async () => receiver.requests.length >= 1, 10_000);
      receiver.ok();
      await receiver.waitFor((r) => r.accepted.length >= 2, 60_000);
      const bodies = receiver.accepted.map((r) => r.body);
      assert.deepEqual(bodies.map((b) => b.data.message.waMessageId), [first.id, second.id], 'in order of creation');
      assert.ok(receiver.accepted.every((r) => verifySignature(secret, r.headers, r.rawBody)));
      assert.equal(bodies[0].event, 'message.received');
      assert.equal(bodies[0].sessionId, main.id);
      assert.equal(bodies[0].data.message.content.text, 'first while you were down');
      assert.notEqual(bodies[0].id, bodies[1].id);
      await holds(() => receiver.accepted.length === 2, { for: 300, what: 'each message delivered once' });
      await api(t).delete(`/api/webhooks/${hook.body.webhook.id}`).expect(200);
    } finally {
      await receiver.close();
    }
  });

  it('downloads inbound media on arrival when the session says eager', async () => {
    await api(t).patch(`/api/sessions/${main.id}/settings`).send({ mediaDownload: 'eager' }).expect(200);
    try {
      const hal = sim.addContact('15557100008', 'Hal');
      const { id } = await sim.contactSend(hal.phoneNumber, MAIN_PHONE, { image: await (await import('sharp')).default((await mediaFixtures()).png).jpeg().toBuffer(), mimetype: 'image/jpeg' });
      const stored = await eventually(async () => {
        const res = await api(t).get(`/api/messages?sessionId=${main.id}&direction=inbound&chat=${hal.phoneNumber}`).expect(200);
        const m = res.body.messages.find((x: { waMessageId: string }) => x.waMessageId === id);
        return m?.media ? m : null;
      }, 10_000);
      // A media id on the row means the bytes were fetched and stored without anyone asking.
      const one = (await api(t).get(`/api/messages/${stored.id}`).expect(200)).body.message;
      assert.equal(one.media.mimetype, 'image/jpeg');
      assert.ok(one.media.size > 0, 'the bytes are already stored');
    } finally {
      await api(t).patch(`/api/sessions/${main.id}/settings`).send({ mediaDownload: 'lazy' }).expect(200);
    }
  });

  it('reconnects with backoff after a transient drop', async () => {
    sim.drop(MAIN_PHONE);
    await waitStatus(main.id, 'DISCONNECTED', 5000).catch(() => undefined);
    const s = await waitStatus(main.id, 'READY');
    assert.ok((await history(main.id)).includes('DISCONNECTED'));
    assert.equal(s.health.lastError, null);
  });

  it('restores the session after a gateway restart, from the credentials in the database, without a QR', async () => {
    const { database, dataDir } = t;
    await t.close();
    await eventually(async () => sim.accounts().find((a) => a.phoneNumber === MAIN_PHONE)?.connectedDevices.length === 0, 5000);
    t = await boot(database, dataDir);
    const s = await waitStatus(main.id, 'READY');
    assert.equal(s.mobile_number, MAIN_PHONE);
    const qr = await api(t).get(`/api/sessions/${main.id}/qr`).expect(409);
    assert.equal(qr.body.error.code, 'SESSION_ALREADY_LINKED');
    // Still a working link: a message goes through after the restart.
    const dave = sim.addContact('15557100004', 'Dave');
    const res = await api(t).post('/api/messages/send').send({ sessionId: main.id, to: dave.phoneNumber, type: 'text', text: 'after restart' }).expect(202);
    await sim.waitForMessage((m) => m.id === res.body.message.waMessageId, 10_000);
  });

  it('reconnects once after the connection is replaced, and stops on a second replacement', async () => {
    const mark = (await history(main.id)).length;
    sim.replace(MAIN_PHONE);
    await eventually(async () => (await history(main.id)).slice(mark).includes('READY'), 10_000).catch(async (e) => {
      throw new Error(`${e.message}: ${JSON.stringify((await history(main.id)).slice(mark))}`);
    });
    sim.replace(MAIN_PHONE);
    const s = await waitStatus(main.id, 'INACTIVE').catch(async (e) => {
      throw new Error(`${e.message}: ${JSON.stringify((await history(main.id)).slice(mark))} ${JSON.stringify(await session(main.id))}`);
    });
    assert.equal(s.health.lastError, 'CONNECTION_REPLACED');
    const before = (await history(main.id)).length;
    await holds(async () => (await history(main.id)).length === before, { for: 600, what: 'no reconnect loop' });
    await api(t).post(`/api/sessions/${main.id}/restart`).expect(200);
    await waitStatus(main.id, 'READY');
  });

  it('marks a session unlinked from the phone LOGGED_OUT, wipes its credentials, and does not retry', async () => {
    sim.unlink(MAIN_PHONE);
    const s = await waitStatus(main.id, 'LOGGED_OUT');
    assert.equal(s.active, false);
    await eventually(async () => (await t.dataSource.query(`SELECT 1 FROM wa_auth_key WHERE session_id = $1`, [main.id])).length === 0);
    const before = (await history(main.id)).length;
    await holds(async () => (await history(main.id)).length === before, { for: 600, what: 'no reconnect storm' });
    assert.equal(t.registry.liveState(main.id), null);
  });
});
