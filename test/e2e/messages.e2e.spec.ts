import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import sharp from 'sharp';
import { SessionRegistry } from '../../src/sessions/session-registry';
import { isSandboxControl } from '../../src/whatsapp/engine/whatsapp-engine.port';
import type { OutgoingMessage } from '../../src/whatsapp/engine/outgoing-message';
import { api, eventually } from '../support/http';
import { mediaFixtures, serveFiles, type FileServer, type MediaFixtures } from '../support/media-fixtures';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';
import { holds } from '../support/wait';
import { createSession, createToken, linkedSession as linkedSandbox } from '../support/factories';

/** The native send API over HTTP, every type and error path, through the sandbox engine's queue. */
describe('Messages API (sandbox engine)', () => {
  let t: TestApp;
  let files: FileServer;
  let fx: MediaFixtures;
  let sessionId: string;

  before(async () => {
    fx = await mediaFixtures();
    files = await serveFiles({ 'photo.png': fx.png, 'big.png': fx.bigPng, 'clip.mp4': fx.mp4, 'tone.mp3': fx.mp3, 'tone.wav': fx.wav, 'doc.pdf': fx.pdf, 'list.csv': fx.csv });
    t = await startTestApp({
      env: {
        ...FAST_QUEUE_ENV,
        MEDIA_URL_ALLOWLIST: '127.0.0.1',
        QUEUE_MAX_ATTEMPTS: '2',
        QUEUE_RETRY_BASE_DELAY_MS: '20',
        DEFAULT_COUNTRY: 'IN',
        MEDIA_MAX_BYTES: String(2 * 1024 * 1024),
      },
    });
    sessionId = await linkedSession('919800000001');
  });
  after(async () => {
    await t?.destroy();
    await files?.close();
  });

  const linkedSession = async (phone: string) => (await linkedSandbox(t, phone)).id;

  const send = (body: Record<string, unknown>) => api(t).post('/api/messages/send').send({ sessionId, ...body });
  const getMessage = async (id: string) => (await api(t).get(`/api/messages/${id}`).expect(200)).body.message;
  const waitStatus = (id: string, status: string, timeoutMs = 5000) =>
    eventually(async () => {
      const m = await getMessage(id);
      return m.status === status ? m : null;
    }, timeoutMs);
  const outbox = (): readonly OutgoingMessage[] => {
    const engine = t.app.get(SessionRegistry).readyEngine(sessionId);
    assert.ok(engine && isSandboxControl(engine));
    return engine.outbox();
  };
  const sentById = (waMessageId: string) => eventually(async () => outbox().find((m) => m.id === waMessageId));

  it('queues a text (202), sends it and records sent, delivered and read in order', async () => {
    const res = await send({ to: '9846303025', type: 'text', text: 'Hello from API Docs!' }).expect(202);
    assert.equal(res.body.success, true);
    const { id, waMessageId, status, to } = res.body.message;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.match(waMessageId, /^3EB0[0-9A-F]{18}$/);
    assert.equal(status, 'QUEUED');
    assert.equal(to, '919846303025@s.whatsapp.net');
    assert.equal(res.body.message.sessionId, sessionId);
    const read = await waitStatus(id, 'READ');
    assert.deepEqual(read.statusHistory.map((h: { status: string }) => h.status), ['QUEUED', 'SENT', 'DELIVERED', 'READ']);
    assert.ok(read.sentAt && read.deliveredAt && read.readAt);
    assert.equal(read.attempts, 1);
    const sent = await sentById(waMessageId);
    assert.deepEqual(sent.content, { kind: 'text', text: 'Hello from API Docs!', mentions: undefined });
  });

  it('names the session by mobile number or mobid', async () => {
    const info = (await api(t).get(`/api/sessions/${sessionId}`).expect(200)).body.session;
    for (const ref of ['+91 98000 00001', info.mobid]) {
      const res = await api(t).post('/api/messages/send').send({ sessionId: ref, to: '919846303025', type: 'text', text: 'x' }).expect(202);
      assert.equal(res.body.message.sessionId, sessionId);
    }
  });

  it('sends an image from a URL, downscaled and re-encoded as JPEG', async () => {
    const res = await send({ to: '919846303025', type: 'image', url: `${files.url}/big.png`, caption: 'Catalogue' }).expect(202);
    const sent = await sentById(res.body.message.waMessageId);
    assert.equal(sent.content.kind, 'image');
    if (sent.content.kind !== 'image') return;
    assert.equal(sent.content.caption, 'Catalogue');
    assert.equal(sent.content.media.mimetype, 'image/jpeg');
    const meta = await sharp(sent.content.media.path).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(Math.max(meta.width!, meta.height!), 1280);
    const message = await getMessage(res.body.message.id);
    assert.equal(message.media.mimetype, 'image/jpeg');
  });

  it('stores a broadcast image once and fetches its URL once', async () => {
    const before = files.hits.get('/photo.png') ?? 0;
    const ids = [];
    for (const to of ['919846303031', '919846303032', '919846303033']) {
      ids.push((await send({ to, type: 'image', url: `${files.url}/photo.png` }).expect(202)).body.message.id);
    }
    const media = await Promise.all(ids.map(async (id) => (await getMessage(id)).media.id));
    assert.equal(new Set(media).size, 1);
    assert.equal((files.hits.get('/photo.png') ?? 0) - before, 1);
  });

  it('takes media as a multipart upload and as base64', async () => {
    const upload = await api(t)
      .post('/api/messages/send')
      .field('sessionId', sessionId)
      .field('to', '919846303025')
      .field('type', 'document')
      .field('caption', 'Price list')
      .attach('file', fx.csv, { filename: 'prices.csv', contentType: 'text/csv' })
      .expect(202);
    const doc = await sentById(upload.body.message.waMessageId);
    assert.equal(doc.content.kind, 'document');
    if (doc.content.kind === 'document') assert.equal(doc.content.fileName, 'prices.csv');

    const b64 = await send({ to: '919846303025', type: 'sticker', data: `data:image/png;base64,${fx.png.toString('base64')}` }).expect(202);
    const sticker = await sentById(b64.body.message.waMessageId);
    assert.equal(sticker.content.kind, 'sticker');
    if (sticker.content.kind === 'sticker') {
      const meta = await sharp(sticker.content.media.path).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 512, 512]);
    }
  });

  it('sends video, audio, pdf and a voice note converted to Ogg/Opus', async () => {
    const video = await send({ to: '919846303025', type: 'video', url: `${files.url}/clip.mp4`, caption: 'Demo' }).expect(202);
    const audio = await send({ to: '919846303025', type: 'audio', url: `${files.url}/tone.mp3` }).expect(202);
    const pdf = await send({ to: '919846303025', type: 'pdf', url: `${files.url}/doc.pdf` }).expect(202);
    const voice = await send({ to: '919846303025', type: 'voice', url: `${files.url}/tone.wav` }).expect(202);
    const v = await sentById(video.body.message.waMessageId);
    assert.equal(v.content.kind, 'video');
    const a = await sentById(audio.body.message.waMessageId);
    assert.equal(a.content.kind === 'audio' && a.content.media.mimetype, 'audio/mpeg');
    const p = await sentById(pdf.body.message.waMessageId);
    assert.equal(p.content.kind === 'document' && p.content.fileName, 'doc.pdf');
    assert.equal(p.content.kind === 'document' && p.content.media.mimetype, 'application/pdf');
    const n = await sentById(voice.body.message.waMessageId);
    assert.equal(n.content.kind, 'voice');
    if (n.content.kind === 'voice') {
      assert.equal(n.content.media.mimetype, 'audio/ogg; codecs=opus');
      assert.equal(n.content.seconds, 3);
      assert.equal(n.content.waveform.length, 64);
      assert.ok(n.content.waveform.some((x) => x > 0));
    }
    await waitStatus(voice.body.message.id, 'PLAYED');
  });

  it('sends location, contact cards, mentions, replies and reactions', async () => {
    const loc = await send({ to: '919846303025', type: 'location', location: { latitude: 12.97, longitude: 77.59, name: 'Office' } }).expect(202);
    const card = await send({ to: '919846303025', type: 'contact', contact: { name: 'Jo; Bloggs', phone: '+44 7700 900123' } }).expect(202);
    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nTEL;waid=447700900124:+447700900124\nEND:VCARD';
    const raw = await send({ to: '919846303025', type: 'contact', vcard }).expect(202);
    const first = await send({ to: '919846303025', type: 'text', text: 'original', mentions: ['919846303026'] }).expect(202);
    const reply = await send({ to: '919846303025', type: 'text', text: 'reply', quotedMessageId: first.body.message.id }).expect(202);
    const react = await send({ to: '919846303025', type: 'reaction', text: '👍', quotedMessageId: first.body.message.waMessageId }).expect(202);

    const l = await sentById(loc.body.message.waMessageId);
    assert.deepEqual(l.content, { kind: 'location', latitude: 12.97, longitude: 77.59, name: 'Office' });
    const c = await sentById(card.body.message.waMessageId);
    assert.ok(c.content.kind === 'contacts' && c.content.vcards[0].includes('FN:Jo\\; Bloggs') && c.content.vcards[0].includes('waid=447700900123'));
    const r = await sentById(raw.body.message.waMessageId);
    assert.ok(r.content.kind === 'contacts' && r.content.displayName === 'Ann');
    const f = await sentById(first.body.message.waMessageId);
    assert.deepEqual(f.content.kind === 'text' && f.content.mentions, ['919846303026@s.whatsapp.net']);
    const q = await sentById(reply.body.message.waMessageId);
    assert.deepEqual(q.quoted, { id: first.body.message.waMessageId, chatJid: '919846303025@s.whatsapp.net', fromMe: true, participant: null, text: 'original' });
    const x = await sentById(react.body.message.waMessageId);
    assert.ok(x.content.kind === 'reaction' && x.content.emoji === '👍' && x.content.target.id === first.body.message.waMessageId);
  });

  it('accepts group, LID and c.us JIDs as they are', async () => {
    for (const [to, jid] of [
      ['120363041234567890@g.us', '120363041234567890@g.us'],
      ['726757093511112@lid', '726757093511112@lid'],
      ['919846303025@c.us', '919846303025@s.whatsapp.net'],
    ]) {
      const res = await send({ to, type: 'text', text: 'hi' }).expect(202);
      assert.equal(res.body.message.to, jid);
    }
  });

  it('returns the first message for a repeated idempotency key', async () => {
    const a = await send({ to: '919846303025', type: 'text', text: 'once', idempotencyKey: 'order-42' }).expect(202);
    const b = await send({ to: '919846303025', type: 'text', text: 'once', idempotencyKey: 'order-42' }).expect(200);
    assert.equal(b.headers['idempotent-replay'], 'true');
    assert.equal(b.body.message.id, a.body.message.id);
    const c = await api(t).post('/api/messages/send').set('Idempotency-Key', 'hdr-1').send({ sessionId, to: '919846303025', type: 'text', text: 'x' }).expect(202);
    const d = await api(t).post('/api/messages/send').set('Idempotency-Key', 'hdr-1').send({ sessionId, to: '919846303025', type: 'text', text: 'x' }).expect(200);
    assert.equal(c.body.message.id, d.body.message.id);
  });

  it('fails a recipient who is not on WhatsApp, and retries transient failures before failing', async () => {
    const gone = await send({ to: '919800000000', type: 'text', text: 'x' }).expect(202);
    const failed = await waitStatus(gone.body.message.id, 'FAILED');
    assert.deepEqual(failed.error.code, 'RECIPIENT_NOT_ON_WHATSAPP');
    assert.equal(failed.attempts, 1);

    const flaky = await send({ to: '919800009999', type: 'text', text: 'x' }).expect(202);
    const given = await waitStatus(flaky.body.message.id, 'FAILED');
    assert.equal(given.attempts, 2);
    assert.equal(given.error.code, 'ENGINE_TEMPORARY_FAILURE');
    assert.deepEqual(given.statusHistory.map((h: { status: string }) => h.status), ['QUEUED', 'QUEUED', 'FAILED']);

    const resent = await api(t).post(`/api/messages/${gone.body.message.id}/resend`).expect(202);
    assert.equal(resent.body.message.status, 'QUEUED');
    assert.equal(resent.body.message.waMessageId, gone.body.message.waMessageId);
    await eventually(async () => (await getMessage(gone.body.message.id)).statusHistory.length >= 4);
    const again = await api(t).post(`/api/messages/${(await send({ to: '919846303025', type: 'text', text: 'ok' })).body.message.id}/resend`).expect(409);
    assert.equal(again.body.error.code, 'MESSAGE_NOT_RESENDABLE');
  });

  it('cancels a queued message but not a sent one', async () => {
    const other = await linkedSession('919800000002');
    await api(t).post(`/api/sessions/${other}/stop`).expect(200);
    const queued = await api(t).post('/api/messages/send').send({ sessionId: other, to: '919846303025', type: 'text', text: 'later' }).expect(202);
    const canceled = await api(t).delete(`/api/messages/${queued.body.message.id}`).expect(200);
    assert.equal(canceled.body.message.status, 'CANCELED');
    const sent = await send({ to: '919846303025', type: 'text', text: 'now' }).expect(202);
    await waitStatus(sent.body.message.id, 'READ');
    const refused = await api(t).delete(`/api/messages/${sent.body.message.id}`).expect(409);
    assert.equal(refused.body.error.code, 'MESSAGE_NOT_CANCELABLE');
  });

  it('holds messages while the session is not ready and sends them when it is', async () => {
    const other = await linkedSession('919800000003');
    await api(t).post(`/api/sessions/${other}/stop`).expect(200);
    const queued = await api(t).post('/api/messages/send').send({ sessionId: other, to: '919846303025', type: 'text', text: 'waiting' }).expect(202);
    await holds(async () => (await getMessage(queued.body.message.id)).status === 'QUEUED', { what: 'held while the session is stopped' });
    await api(t).post(`/api/sessions/${other}/start`).expect(200);
    await waitStatus(queued.body.message.id, 'READ');
  });

  it('lists history with filters, cursor and page pagination', async () => {
    const chat = '919846309999';
    for (let i = 0; i < 5; i++) await send({ to: chat, type: 'text', text: `m${i}` }).expect(202);
    const first = await api(t).get(`/api/messages?sessionId=${sessionId}&chat=${chat}&limit=2`).expect(200);
    assert.equal(first.body.success, true);
    assert.deepEqual(first.body.messages.map((m: { content: { text: string } }) => m.content.text), ['m4', 'm3']);
    const second = await api(t).get(`/api/messages?sessionId=${sessionId}&chat=${chat}&limit=2&cursor=${first.body.nextCursor}`).expect(200);
    assert.deepEqual(second.body.messages.map((m: { content: { text: string } }) => m.content.text), ['m2', 'm1']);
    const page = await api(t).get(`/api/messages?chat=${chat}&limit=2&page=3`).expect(200);
    assert.equal(page.body.total, 5);
    assert.deepEqual(page.body.messages.map((m: { content: { text: string } }) => m.content.text), ['m0']);
    const outbound = await api(t).get(`/api/messages?direction=outbound&status=FAILED&from=2000-01-01T00:00:00Z`).expect(200);
    assert.ok(outbound.body.messages.every((m: { status: string }) => m.status === 'FAILED'));
    await api(t).get('/api/messages?cursor=bogus').expect(400);
    await api(t).get('/api/messages?status=LOST').expect(400);
  });

  it('shows typing and checks numbers', async () => {
    await api(t).post(`/api/sessions/${sessionId}/typing`).send({ to: '919846303025', isTyping: true }).expect(200);
    const res = await api(t).post(`/api/sessions/${sessionId}/check-numbers`).send({ numbers: ['9846303025', '919800000000', 'abc'] }).expect(200);
    assert.deepEqual(res.body.results, [
      { input: '9846303025', number: '919846303025', jid: '919846303025@s.whatsapp.net', exists: true },
      { input: '919800000000', number: '919800000000', jid: null, exists: false },
      { input: 'abc', number: null, jid: null, exists: false, error: 'not a phone number' },
    ]);
    await api(t).post(`/api/sessions/${sessionId}/typing`).send({ to: '919846303025' }).expect(400);
  });

  it('refuses bad input with clear 4xx codes', async () => {
    const cases: [Record<string, unknown>, number, string, string?][] = [
      [{ to: 'not a number', type: 'text', text: 'x' }, 400, 'RECIPIENT_INVALID', 'to'],
      [{ to: '919846303025', type: 'text' }, 400, 'VALIDATION_FAILED', 'text'],
      [{ to: '919846303025', type: 'fax', text: 'x' }, 400, 'VALIDATION_FAILED', 'type'],
      [{ to: '919846303025', type: 'image' }, 400, 'VALIDATION_FAILED', 'url'],
      [{ to: '919846303025', type: 'pdf', url: `${files.url}/photo.png` }, 400, 'MEDIA_TYPE_MISMATCH'],
      [{ to: '919846303025', type: 'image', url: `${files.url}/doc.pdf` }, 400, 'MEDIA_TYPE_MISMATCH'],
      [{ to: '919846303025', type: 'image', url: `${files.url}/missing.png` }, 422, 'MEDIA_FETCH_FAILED'],
      [{ to: '919846303025', type: 'image', url: 'http://169.254.169.254/latest/meta-data' }, 400, 'MEDIA_URL_FORBIDDEN'],
      [{ to: '919846303025', type: 'image', url: 'http://[::1]:1/x.png' }, 400, 'MEDIA_URL_FORBIDDEN'],
      [{ to: '919846303025', type: 'image', url: 'file:///etc/passwd' }, 400, 'MEDIA_URL_FORBIDDEN'],
      [{ to: '919846303025', type: 'image', url: `${files.url}/photo.png`, data: 'aGk=' }, 400, 'VALIDATION_FAILED', 'data'],
      [{ to: '919846303025', type: 'image', data: '!!!' }, 400, 'MEDIA_INVALID'],
      [{ to: '919846303025', type: 'location', location: { latitude: 123, longitude: 0 } }, 400, 'VALIDATION_FAILED', 'location.latitude'],
      [{ to: '919846303025', type: 'reaction', text: '👍' }, 400, 'VALIDATION_FAILED', 'quotedMessageId'],
      [{ to: '919846303025', type: 'text', text: 'x', quotedMessageId: 'nope' }, 400, 'VALIDATION_FAILED', 'quotedMessageId'],
      [{ to: '919846303025', type: 'contact', vcard: 'hello' }, 400, 'VALIDATION_FAILED', 'vcard'],
      [{ to: '919846303025', type: 'text', text: 'x', colour: 'red' }, 400, 'VALIDATION_FAILED', 'colour'],
      [{ to: '919846303025', type: 'voice', text: 'speak this', voice: 'no-such-voice' }, 422, 'TTS_INVALID_INPUT'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await send(body);
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code, JSON.stringify(body));
      if (field) assert.equal(res.body.error.details.fields[0].field, field, JSON.stringify(body));
    }
  });

  it('follows a few redirects but not too many, and limits the size', async () => {
    await send({ to: '919846303025', type: 'image', url: `${files.url}/redirect/2/photo.png` }).expect(202);
    const tooMany = await send({ to: '919846303025', type: 'image', url: `${files.url}/redirect/5/photo.png` }).expect(422);
    assert.match(tooMany.body.error.message, /redirects/);
    const huge = await api(t)
      .post('/api/messages/send')
      .field('sessionId', sessionId)
      .field('to', '919846303025')
      .field('type', 'document')
      .attach('file', Buffer.alloc(3 * 1024 * 1024, 1), 'big.bin');
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('answers a malformed multipart body with 400, not 500', async () => {
    const truncated = Buffer.from(
      '--XYZ\r\nContent-Disposition: form-data; name="sessionId"\r\n\r\nabc\r\n' +
        '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\nabcdef',
    );
    for (const [contentType, body] of [
      ['multipart/form-data; boundary=XYZ', truncated],
      ['multipart/form-data', Buffer.from('no boundary')],
    ] as const) {
      const res = await api(t).post('/api/messages/send').set('Content-Type', contentType).send(body);
      assert.equal(res.status, 400, `${contentType}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.match(res.body.error.message, /^Malformed multipart body/);
    }
    const extraFile = await api(t)
      .post('/api/messages/send')
      .field('sessionId', sessionId)
      .attach('file', Buffer.from('a'), 'a.txt')
      .attach('other', Buffer.from('b'), 'b.txt');
    assert.equal(extraFile.status, 400);
    assert.equal(extraFile.body.error.code, 'VALIDATION_FAILED');
  });

  it('refuses sessions that are unknown, not linked, or not the token’s own', async () => {
    const unknown = await api(t).post('/api/messages/send').send({ sessionId: 'qr_0_00000000', to: '919846303025', type: 'text', text: 'x' }).expect(404);
    assert.equal(unknown.body.error.code, 'SESSION_NOT_FOUND');
    const fresh = await createSession(t);
    const unlinked = await api(t).post('/api/messages/send').send({ sessionId: fresh, to: '919846303025', type: 'text', text: 'x' }).expect(403);
    assert.equal(unlinked.body.error.code, 'SESSION_NOT_LINKED');
    const token = await createToken(t, { name: 'bound', sessionId: fresh });
    const foreign = await api(t, token).post('/api/messages/send').send({ sessionId, to: '919846303025', type: 'text', text: 'x' }).expect(403);
    assert.equal(foreign.body.error.code, 'FORBIDDEN');
    const list = await api(t, token).get('/api/messages').expect(200);
    assert.deepEqual(list.body.messages, []);
    await api(t, null).post('/api/messages/send').send({ sessionId, to: '919846303025', type: 'text', text: 'x' }).expect(401);
  });
});
