import assert from 'node:assert/strict';
import sharp from 'sharp';
import { after, before, describe, it } from '../support/node-test';
import { SessionRegistry } from '../../src/sessions/session-registry';
import { isSandboxControl } from '../../src/whatsapp/engine/whatsapp-engine.port';
import type { OutgoingMessage } from '../../src/whatsapp/engine/outgoing-message';
import { api } from '../support/http';
import { mediaFixtures, type MediaFixtures } from '../support/media-fixtures';
import { FAST_QUEUE_ENV, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { holds, waitFor } from '../support/wait';

/**
 * The WA Gateway's API under /compat/gateway, walked as its manual does, from the first
 * status call to a delivered message, with the sandbox engine: X-API-Key, named sessions,
 * the integer message id, the opt-in hold, resend and every error in `{success:false, error, code}`.
 */
describe('WA Gateway API (sandbox engine)', () => {
  let t: TestApp;
  let fx: MediaFixtures;
  /** The client's existing API_SECRET, registered as a gateway token. */
  const SECRET = 'existing-gateway-api-secret-42';
  const BASE = '/compat/gateway';
  const ACCOUNT = '9611000001';
  let defaultId: string;

  before(async () => {
    fx = await mediaFixtures();
    // DEFAULT_COUNTRY=IN would turn 9611234567 into 919611234567 natively: the gateway never applies it.
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, DEFAULT_COUNTRY: 'IN' } });
    await api(t).post('/api/auth/tokens').send({ name: 'PHP dashboard', api: 'gateway', secret: SECRET }).expect(201);
  });
  after(async () => {
    await t?.destroy();
  });

  /** A request as the PHP dashboard's apiCall() makes it: X-API-Key, JSON. */
  const gw = (method: 'get' | 'post' | 'delete', path: string, key: string | null = SECRET) => {
    const req = api(t, null).raw[method](`${BASE}${path}`);
    return key === null ? req : req.set('X-API-Key', key);
  };
  const expectError = (body: Record<string, unknown>, code: string) => {
    assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'success']);
    assert.equal(body.success, false);
    assert.equal(body.code, code);
    assert.equal(typeof body.error, 'string');
    assert.ok((body.error as string).length > 0);
  };
  const nativeSession = async (name: string) => {
    const { body } = await api(t).get(`/api/sessions?q=${name}`).expect(200);
    return body.sessions.find((s: { name: string }) => s.name === name) as { sessionId: string; settings: Record<string, unknown> };
  };
  const outbox = (sessionId: string): readonly OutgoingMessage[] => {
    const engine = t.app.get(SessionRegistry).readyEngine(sessionId);
    assert.ok(engine && isSandboxControl(engine));
    return engine.outbox();
  };
  const textsTo = (sessionId: string, phone: string) =>
    outbox(sessionId)
      .filter((m) => m.to === `${phone}@s.whatsapp.net`)
      .map((m) => (m.content.kind === 'text' ? m.content.text : `[${m.content.kind}]`));
  const inbound = (sessionId: string, from: string, text: string) =>
    api(t).post(`/api/sessions/${sessionId}/sandbox/inbound`).send({ from: `+${from}`, text }).expect(202);
  const message = async (number: number) => (await api(t).get(`/api/messages/${number}`).expect(200)).body.message;
  const messageWithStatus = (number: number, ...statuses: string[]) =>
    waitFor(
      async () => {
        const m = await message(number);
        return statuses.includes(m.status) ? m : null;
      },
      { what: `message ${number} ${statuses.join('|')}` },
    );
  const send = async (body: Record<string, unknown>): Promise<number> => {
    const res = await gw('post', '/api/send').send(body).expect(200);
    assert.deepEqual(Object.keys(res.body).sort(), ['message_id', 'success']);
    assert.equal(res.body.success, true);
    assert.equal(typeof res.body.message_id, 'number');
    assert.ok(Number.isInteger(res.body.message_id) && res.body.message_id > 0, `integer id, got ${res.body.message_id}`);
    return res.body.message_id;
  };

  it('refuses a missing or wrong X-API-Key with 401 in the gateway shape; the admin credential works too', async () => {
    for (const key of [null, 'wrong-secret-0000000000']) {
      for (const [method, path] of [['get', '/api/status'], ['get', '/api/sessions'], ['post', '/api/send'], ['post', '/api/resend/1']] as const) {
        const res = await gw(method, path, key).expect(401);
        expectError(res.body, 'UNAUTHENTICATED');
      }
    }
    // The gateway key is for the gateway API only.
    const native = await api(t, SECRET).get('/api/sessions').expect(403);
    assert.equal(native.body.error.code, 'FORBIDDEN');
    await gw('get', '/api/sessions', TEST_API_KEY).expect(200);
  });

  it('GET /api/status creates the default session, linking at once: connecting with a QR data URL', async () => {
    const res = await gw('get', '/api/status').expect(200);
    assert.deepEqual(Object.keys(res.body), ['name', 'status', 'phone', 'last_seen', 'qr_code']);
    assert.equal(res.body.name, 'default');
    assert.equal(res.body.status, 'connecting');
    assert.equal(res.body.phone, null);
    assert.equal(res.body.last_seen, null);
    const withQr = await waitFor(async () => (await gw('get', '/api/status').expect(200)).body.qr_code as string | null, { what: 'a QR' });
    assert.match(withQr, /^data:image\/png;base64,[A-Za-z0-9+/=]+$/);

    const native = await nativeSession('default');
    defaultId = native.sessionId;
    // The WA Gateway's 8–22 s throttle and opt-in hold are the session's own native settings.
    assert.equal(native.settings.minDelayMs, 8000);
    assert.equal(native.settings.maxDelayMs, 22000);
    assert.equal(native.settings.requireOptIn, true);
    assert.equal(native.settings.optInMode, 'hold');
    // Only one default, however often it is asked for.
    await Promise.all([gw('get', '/api/status').expect(200), gw('get', '/api/sessions').expect(200)]);
    const all = (await api(t).get('/api/sessions?q=default').expect(200)).body.sessions;
    assert.equal(all.filter((s: { name: string }) => s.name === 'default').length, 1);
  });

  it('GET /api/sessions is a bare array; POST /api/sessions creates by name with the documented rules', async () => {
    const created = await gw('post', '/api/sessions').send({ name: 'support' }).expect(200);
    assert.deepEqual(created.body, { success: true, message: 'Session "support" created — check dashboard for QR code' });
    const support = await nativeSession('support');
    assert.equal(support.settings.minDelayMs, 8000);
    assert.equal(support.settings.requireOptIn, true);

    const list = await gw('get', '/api/sessions').expect(200);
    assert.ok(Array.isArray(list.body));
    assert.deepEqual(
      list.body.map((s: Record<string, unknown>) => Object.keys(s)),
      [
        ['name', 'status', 'phone', 'last_seen'],
        ['name', 'status', 'phone', 'last_seen'],
      ],
    );
    assert.deepEqual(
      list.body.map((s: Record<string, unknown>) => [s.name, s.status, s.phone, s.last_seen]),
      [
        ['default', 'connecting', null, null],
        ['support', 'connecting', null, null],
      ],
    );

    const duplicate = await gw('post', '/api/sessions').send({ name: 'support' }).expect(409);
    expectError(duplicate.body, 'SESSION_NAME_TAKEN');
    expectError((await gw('post', '/api/sessions').send({ name: 'default' }).expect(409)).body, 'SESSION_NAME_TAKEN');
    for (const name of ['with space', 'a'.repeat(41), 'dot.name', 'ünï', '', 42, null]) {
      const bad = await gw('post', '/api/sessions').send({ name }).expect(400);
      expectError(bad.body, 'VALIDATION_FAILED');
    }
    expectError((await gw('post', '/api/sessions').send({}).expect(400)).body, 'VALIDATION_FAILED');
    await gw('post', '/api/sessions').send({ name: `Sales_2-${'x'.repeat(32)}` }).expect(200);
  });

  it('shows the linked default session online with its phone and last_seen as YYYY-MM-DD HH:MM:SS (UTC)', async () => {
    await api(t).post(`/api/sessions/${defaultId}/sandbox/link`).send({ phoneNumber: `+${ACCOUNT}` }).expect(200);
    // The operator may change the pacing natively; the walk below needs no 8–22 s pauses.
    await api(t).patch(`/api/sessions/${defaultId}/settings`).send({ preset: 'off' }).expect(200);
    const res = await gw('get', '/api/status').expect(200);
    assert.deepEqual(res.body.name, 'default');
    assert.equal(res.body.status, 'online');
    assert.equal(res.body.phone, ACCOUNT);
    assert.equal(res.body.qr_code, null);
    assert.match(res.body.last_seen, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const seen = Date.parse(`${res.body.last_seen.replace(' ', 'T')}Z`);
    assert.ok(Math.abs(Date.now() - seen) < 5 * 60_000, `last_seen ${res.body.last_seen} is now, in UTC`);
    const listed = (await gw('get', '/api/sessions').expect(200)).body[0];
    assert.deepEqual(listed, { name: 'default', status: 'online', phone: ACCOUNT, last_seen: res.body.last_seen });
  });

  it('holds a message to a contact who never wrote in; their YES to the prompt releases it and it is delivered', async () => {
    const contact = '9611234567';
    const id = await send({ phone: contact, message: 'Hello from the gateway! مرحبا 👋' });
    const held = await waitFor(async () => {
      const m = await message(id);
      return m.heldReason === 'NOT_OPTED_IN' ? m : null;
    }, { what: 'held for opt-in' });
    assert.equal(held.number, id);
    assert.equal(held.status, 'QUEUED');
    assert.equal(held.to, `+${contact}`);
    assert.equal(held.chat, `${contact}@s.whatsapp.net`, 'no default country added');
    await holds(async () => (await message(id)).status === 'QUEUED' && textsTo(defaultId, contact).length === 0, { for: 500, what: 'held, nothing sent' });

    await inbound(defaultId, contact, 'hi');
    await waitFor(() => textsTo(defaultId, contact).length === 1, { what: 'the opt-in prompt' });
    assert.match(textsTo(defaultId, contact)[0], /Reply 1 or YES/);
    assert.match(textsTo(defaultId, contact)[0], /نعم/);
    assert.equal((await message(id)).status, 'QUEUED');

    await inbound(defaultId, contact, 'YES');
    const delivered = await messageWithStatus(id, 'DELIVERED', 'READ');
    assert.deepEqual(delivered.content, { text: 'Hello from the gateway! مرحبا 👋' });
    assert.ok(textsTo(defaultId, contact).includes('Hello from the gateway! مرحبا 👋'));
    assert.ok(textsTo(defaultId, contact).some((text) => /subscribed/.test(text)));

    // Later messages to a subscribed contact go straight out, with growing ids.
    const next = await send({ phone: `+961 1-234-567`, message: 'Second' });
    assert.ok(next > id);
    await messageWithStatus(next, 'DELIVERED', 'READ');
  });

  it('marks messages to a contact who said NO opted_out, and resends them once the contact says YES again', async () => {
    const contact = '9617654321';
    const heldId = await send({ phone: contact, message: 'Offer 1', session: 'default' });
    await inbound(defaultId, contact, 'hello');
    await waitFor(() => textsTo(defaultId, contact).length === 1, { what: 'the opt-in prompt' });
    await inbound(defaultId, contact, 'لا');
    await messageWithStatus(heldId, 'OPTED_OUT');
    const later = await send({ phone: contact, message: 'Offer 2' });
    await messageWithStatus(later, 'OPTED_OUT');
    assert.ok(!textsTo(defaultId, contact).some((text) => text.startsWith('Offer')), 'never sent');

    await inbound(defaultId, contact, '1');
    await waitFor(() => textsTo(defaultId, contact).some((text) => /subscribed/.test(text)), { what: 'the YES confirmation' });
    assert.deepEqual((await gw('post', `/api/resend/${heldId}`).expect(200)).body, { success: true });
    assert.deepEqual((await gw('post', `/api/resend/${later}`).expect(200)).body, { success: true });
    await messageWithStatus(heldId, 'DELIVERED', 'READ');
    await messageWithStatus(later, 'DELIVERED', 'READ');
    assert.deepEqual(
      textsTo(defaultId, contact).filter((text) => text.startsWith('Offer')),
      ['Offer 1', 'Offer 2'],
    );

    // Only failed and opted-out messages are resent; unknown ids are 404.
    expectError((await gw('post', `/api/resend/${later}`).expect(409)).body, 'MESSAGE_NOT_RESENDABLE');
    // A failed message of a session the gateway does not name is not the gateway key's to resend.
    const native = (await api(t).post('/api/sessions').send({ name: 'native only' }).expect(201)).body.session.sessionId;
    await api(t).post(`/api/sessions/${native}/sandbox/link`).send({ phoneNumber: '+15550001111' }).expect(200);
    await api(t).patch(`/api/sessions/${native}/settings`).send({ requireOptIn: true }).expect(200);
    const refused = (await api(t).post('/api/messages/send').send({ sessionId: native, to: '+9611234567', type: 'text', text: 'x' }).expect(202)).body.message;
    await messageWithStatus(refused.number, 'OPTED_OUT');
    for (const unknown of [String(refused.number), '999999999', 'abc', '0', '-1', '1.5', '85bdd75f-b894-48f9-a4c6-dbe7f975de2a']) {
      expectError((await gw('post', `/api/resend/${unknown}`).expect(404)).body, 'MESSAGE_NOT_FOUND');
    }
  });

  it('POST /api/send-image sends a JPEG of at most 1280 px at quality 78', async () => {
    const contact = '9611234567';
    const res = await gw('post', '/api/send-image').field('phone', contact).field('caption', 'Check this out!').attach('file', fx.bigPng, 'photo.png').expect(200);
    assert.deepEqual(Object.keys(res.body).sort(), ['message_id', 'success']);
    assert.ok(Number.isInteger(res.body.message_id));
    const sent = await messageWithStatus(res.body.message_id, 'DELIVERED', 'READ');
    const image = outbox(defaultId).find((m) => m.id === sent.waMessageId);
    assert.ok(image && image.content.kind === 'image');
    if (image.content.kind !== 'image') return;
    assert.equal(image.content.caption, 'Check this out!');
    assert.equal(image.content.media.mimetype, 'image/jpeg');
    const jpeg = await sharp(image.content.media.path).toBuffer({ resolveWithObject: true });
    assert.equal(jpeg.info.format, 'jpeg');
    assert.deepEqual([jpeg.info.width, jpeg.info.height], [1280, 853]);
    // The quality is in the quantisation tables: they are those of a q78 encode, not q77 or q79.
    const { readFileSync } = await import('node:fs');
    const tables = quantTables(readFileSync(image.content.media.path));
    const reference = async (quality: number) =>
      quantTables(await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } }).jpeg({ quality, mozjpeg: true }).toBuffer());
    assert.deepEqual(tables, await reference(78));
    assert.notDeepEqual(tables, await reference(77));
    assert.notDeepEqual(tables, await reference(79));

    // GIF and WEBP are taken too; other files are not.
    const gif = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#00ff00' } }).gif().toBuffer();
    await gw('post', '/api/send-image').field('phone', contact).attach('file', gif, 'a.gif').expect(200);
    const webp = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#0000ff' } }).webp().toBuffer();
    await gw('post', '/api/send-image').field('phone', contact).attach('file', webp, 'a.webp').expect(200);
    expectError((await gw('post', '/api/send-image').field('phone', contact).attach('file', fx.pdf, 'a.jpg').expect(400)).body, 'MEDIA_TYPE_MISMATCH');
    expectError((await gw('post', '/api/send-image').field('phone', contact).expect(400)).body, 'VALIDATION_FAILED');
    const big = Buffer.concat([fx.png, Buffer.alloc(10 * 1024 * 1024)]);
    expectError((await gw('post', '/api/send-image').field('phone', contact).attach('file', big, 'big.png').expect(413)).body, 'MEDIA_TOO_LARGE');
    expectError((await gw('post', '/api/send-image').field('phone', '12').attach('file', fx.png, 'a.png').expect(400)).body, 'RECIPIENT_INVALID');
    expectError((await gw('post', '/api/send-image').field('phone', contact).field('session', 'nope').attach('file', fx.png, 'a.png').expect(404)).body, 'SESSION_NOT_FOUND');
  });

  it('answers bad input on /api/send in the gateway shape', async () => {
    for (const phone of ['abc', '123456', '1234567890123456', '961 abc', '9611234567@s.whatsapp.net']) {
      expectError((await gw('post', '/api/send').send({ phone, message: 'x' }).expect(400)).body, 'RECIPIENT_INVALID');
    }
    expectError((await gw('post', '/api/send').send({ phone: '9611234567' }).expect(400)).body, 'VALIDATION_FAILED');
    expectError((await gw('post', '/api/send').send({ phone: '9611234567', message: '' }).expect(400)).body, 'VALIDATION_FAILED');
    expectError((await gw('post', '/api/send').send({ message: 'x' }).expect(400)).body, 'VALIDATION_FAILED');
    expectError((await gw('post', '/api/send').send({ phone: '9611234567', message: 'x', extra: 1 }).expect(400)).body, 'VALIDATION_FAILED');
    expectError((await gw('post', '/api/send').send({ phone: '9611234567', message: 'x', session: 'nope' }).expect(404)).body, 'SESSION_NOT_FOUND');
    expectError((await gw('post', '/api/send').send({ phone: '9611234567', message: 'x', session: '../default' }).expect(404)).body, 'SESSION_NOT_FOUND');
    // A session that was never linked refuses sends (the native rule).
    expectError((await gw('post', '/api/send').send({ phone: '9611234567', message: 'x', session: 'support' }).expect(403)).body, 'SESSION_NOT_LINKED');
    expectError((await gw('post', '/api/send').set('Content-Type', 'application/json').send('{"phone":').expect(400)).body, 'MALFORMED_JSON');
    expectError((await gw('get', '/api/nope').expect(404)).body, 'ROUTE_NOT_FOUND');
    // A phone given as a JSON number (PHP ints) is taken as its digits.
    const id = await send({ phone: 9611234567, message: 'number phone' });
    assert.equal((await message(id)).chat, '9611234567@s.whatsapp.net');
  });

  it('POST /api/regenerate-qr reconnects a session by name', async () => {
    const res = await gw('post', '/api/regenerate-qr').set('Content-Type', 'application/json').send({ session: 'default' }).expect(200);
    assert.deepEqual(res.body, { success: true, message: 'Reconnection initiated for session "default"' });
    await waitFor(async () => (await gw('get', '/api/status').expect(200)).body.status === 'online', { what: 'default online again' });
    assert.deepEqual((await gw('post', '/api/regenerate-qr').expect(200)).body, { success: true, message: 'Reconnection initiated for session "default"' });
    const support = await gw('post', '/api/regenerate-qr').send({ session: 'support' }).expect(200);
    assert.deepEqual(support.body, { success: true, message: 'Reconnection initiated for session "support"' });
    expectError((await gw('post', '/api/regenerate-qr').send({ session: 'nope' }).expect(404)).body, 'SESSION_NOT_FOUND');
  });

  it('DELETE /api/sessions/:name removes a session, never default', async () => {
    expectError((await gw('delete', '/api/sessions/default').expect(403)).body, 'FORBIDDEN');
    assert.deepEqual((await gw('delete', '/api/sessions/support').expect(200)).body, { success: true });
    const names = (await gw('get', '/api/sessions').expect(200)).body.map((s: { name: string }) => s.name);
    assert.ok(!names.includes('support'));
    assert.ok(names.includes('default'));
    expectError((await gw('delete', '/api/sessions/support').expect(404)).body, 'SESSION_NOT_FOUND');
    expectError((await gw('post', '/api/send').send({ phone: '9611234567', message: 'x', session: 'support' }).expect(404)).body, 'SESSION_NOT_FOUND');
    // The name is free again.
    await gw('post', '/api/sessions').send({ name: 'support' }).expect(200);
  });

  it('lists its routes in /docs/gateway-json', async () => {
    const doc = (await api(t, null).get('/docs/gateway-json').expect(200)).body;
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    assert.deepEqual(routes.sort(), [
      'DELETE /compat/gateway/api/sessions/{name}',
      'GET /compat/gateway/api/sessions',
      'GET /compat/gateway/api/status',
      'POST /compat/gateway/api/regenerate-qr',
      'POST /compat/gateway/api/resend/{id}',
      'POST /compat/gateway/api/send',
      'POST /compat/gateway/api/send-image',
      'POST /compat/gateway/api/sessions',
    ]);
    assert.equal(doc.paths['/compat/gateway/api/send'].post.responses['401'].description.includes('X-API-Key'), true);
  });
});

/** The DQT segments of a JPEG (its quantisation tables), in file order. */
function quantTables(jpeg: Buffer): string[] {
  const tables: string[] = [];
  for (let i = 2; i + 4 <= jpeg.length && jpeg[i] === 0xff; ) {
    const marker = jpeg[i + 1];
    if (marker === 0xda) break;
    const length = jpeg.readUInt16BE(i + 2);
    if (marker === 0xdb) tables.push(jpeg.subarray(i + 4, i + 2 + length).toString('hex'));
    i += 2 + length;
  }
  return tables;
}
