import assert from 'node:assert/strict';
import sharp from 'sharp';
import request from 'supertest';
import { after, before, describe, it } from '../support/node-test';
import { linkedSession } from '../support/factories';
import { api } from '../support/http';
import { serveFiles, type FileServer } from '../support/media-fixtures';
import { FAST_QUEUE_ENV, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';
import { waitFor } from '../support/wait';
import { WebhookReceiver } from '../support/webhook-receiver';

const BASE = '/compat/phones/api/v1';
const PHONE = '919876543210';
const PHONE2 = '917012345678';
const PASSWORD = 'phones-password-1';
const NEW_PASSWORD = 'phones-password-2';

/** Asserts the phones API error shape: {success:false, error, code} (details optional). */
function assertError(res: request.Response, status: number, code: string): void {
  assert.equal(res.status, status, `${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.success, false);
  assert.equal(res.body.code, code);
  assert.equal(typeof res.body.error, 'string');
  assert.ok(res.body.error.length > 0);
}

/** The `sb_token` cookie a response sets, as `name=value` and its attributes. */
function loginCookie(res: request.Response): { pair: string; attributes: string } {
  const header = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('sb_token='));
  assert.ok(header, 'sets the sb_token cookie');
  const [pair, ...attributes] = header.split(';').map((s) => s.trim());
  return { pair, attributes: attributes.join('; ') };
}

for (const kind of testDatabaseKinds()) describe(`Phones manager API under /compat/phones (${kind})`, () => {
  let t: TestApp;
  let files: FileServer;
  let receiver: WebhookReceiver;
  let png: Buffer;
  const anon = () => request(t.url);
  /** A request with the phones login cookie. */
  let cookie = '';
  let permanent = '';
  const withToken = (token: string) => api(t, token);

  before(async () => {
    png = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 10, g: 200, b: 30 } } }).png().toBuffer();
    files = await serveFiles({ 'photo.png': png, 'clip.mp4': Buffer.from('not really a video') });
    receiver = await WebhookReceiver.start();
    t = await startTestApp({
      database: await createTestDatabase(kind),
      env: { ...FAST_QUEUE_ENV, PHONES_QUOTA: '2', PHONES_ALLOWED_MEDIA: 'image,document', MEDIA_URL_ALLOWLIST: '127.0.0.1', WEBHOOK_POLL_INTERVAL_MS: '50', READY_WAIT_TIMEOUT_MS: '500' },
    });
  });
  after(async () => {
    await t?.destroy();
    await files?.close();
    await receiver?.close();
  });

  it('answers health without a credential and resources with one', async () => {
    const health = await anon().get(`${BASE}/health`).expect(200);
    assert.deepEqual(Object.keys(health.body).sort(), ['status', 'timestamp']);
    assert.equal(health.body.status, 'ok');
    assert.ok(!Number.isNaN(Date.parse(health.body.timestamp)));
    assertError(await anon().get(`${BASE}/health/resources`), 401, 'UNAUTHENTICATED');
    const resources = await api(t).get(`${BASE}/health/resources`).expect(200);
    assert.equal(typeof resources.body.data.uptimeSeconds, 'number');
    assert.equal(typeof resources.body.data.memory.rss, 'number');
    assert.equal(typeof resources.body.data.sessions.total, 'number');
  });

  it('sets the first password only with the admin credential, then logs in with a cookie', async () => {
    assertError(await anon().post(`${BASE}/auth/login`).send({ password: PASSWORD }), 409, 'PASSWORD_NOT_SET');
    assert.deepEqual((await anon().get(`${BASE}/auth/verify`).expect(200)).body, { data: { valid: false } });
    assertError(await anon().post(`${BASE}/auth/change-password`).send({ newPassword: PASSWORD }), 401, 'UNAUTHENTICATED');
    // A phones token made by the admin is not enough to claim the API.
    const scoped = (await api(t).post('/api/auth/tokens').send({ name: 'phones client', api: 'phones' }).expect(201)).body.token;
    assertError(await withToken(scoped).post(`${BASE}/auth/change-password`).send({ newPassword: PASSWORD }), 403, 'ADMIN_REQUIRED');
    assertError(await api(t).post(`${BASE}/auth/change-password`).send({ newPassword: 'short' }), 400, 'VALIDATION_FAILED');
    const set = await api(t).post(`${BASE}/auth/change-password`).send({ newPassword: PASSWORD }).expect(200);
    assert.deepEqual(set.body, { success: true, message: 'Password changed' });
    assertError(await api(t).post(`${BASE}/auth/change-password`).send({ newPassword: NEW_PASSWORD }), 400, 'VALIDATION_FAILED');

    assertError(await anon().post(`${BASE}/auth/login`).send({ password: 'wrong-password' }), 401, 'INVALID_CREDENTIALS');
    assertError(await anon().post(`${BASE}/auth/login`).send({}), 400, 'VALIDATION_FAILED');
    const login = await anon().post(`${BASE}/auth/login`).send({ password: PASSWORD }).expect(200);
    assert.equal(login.body.success, true);
    assert.equal(typeof login.body.data.token, 'string');
    assert.match(login.body.data.token, /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/);
    assert.equal(login.body.data.expiresIn, 7 * 24 * 3600);
    const { pair, attributes } = loginCookie(login);
    assert.equal(pair, `sb_token=${login.body.data.token}`);
    assert.match(attributes, /HttpOnly/i);
    assert.match(attributes, /SameSite=Lax/i);
    assert.match(attributes, /Path=\/compat\/phones/);
    assert.doesNotMatch(attributes, /Secure/i);
    cookie = pair;

    // The cookie works here, the JWT also as Bearer, and neither on the native API.
    await anon().get(`${BASE}/user/phones`).set('Cookie', cookie).expect(200);
    await withToken(login.body.data.token).get(`${BASE}/user/phones`).expect(200);
    assert.equal((await anon().get('/api/sessions').set('Cookie', cookie)).status, 403);
    // The login token is a native API token, listed (and revocable) by the admin.
    const tokens = (await api(t).get('/api/auth/tokens').expect(200)).body.tokens;
    assert.ok(tokens.some((tk: { name: string; api: string }) => tk.name === 'phones login' && tk.api === 'phones'));

    assert.deepEqual((await anon().get(`${BASE}/auth/verify`).set('Cookie', cookie).expect(200)).body, { data: { valid: true } });
    assert.deepEqual((await anon().get(`${BASE}/auth/verify`).query({ token: login.body.data.token }).expect(200)).body, { data: { valid: true } });
    assert.deepEqual((await anon().post(`${BASE}/auth/verify`).send({ token: login.body.data.token }).expect(200)).body, { data: { valid: true } });
    assert.deepEqual((await anon().post(`${BASE}/auth/verify`).send({ token: 'eyJhbGciOiJIUzI1NiJ9.e30.bad' }).expect(200)).body, { data: { valid: false } });
    assert.deepEqual((await anon().post(`${BASE}/auth/verify`).send({ token: 'sb_nope' }).expect(200)).body, { data: { valid: false } });
  });

  it('generates a permanent token shown once, with the password', async () => {
    assertError(await anon().post(`${BASE}/auth/generate-token`).send({ password: PASSWORD }), 401, 'UNAUTHENTICATED');
    assertError(await anon().post(`${BASE}/auth/generate-token`).set('Cookie', cookie).send({ password: 'nope-nope' }), 401, 'INVALID_CREDENTIALS');
    const res = await anon().post(`${BASE}/auth/generate-token`).set('Cookie', cookie).send({ password: PASSWORD }).expect(200);
    assert.equal(typeof res.body.token, 'string');
    assert.equal(res.body.expiresIn, null);
    assert.deepEqual(res.body.data, { token: res.body.token, expiresIn: null });
    permanent = res.body.token;
    await withToken(permanent).get(`${BASE}/user/phones`).expect(200);
    assert.equal((await withToken(permanent).get('/api/sessions')).status, 403);
  });

  it('changes the password with the old one, ending earlier logins but not permanent tokens', async () => {
    assertError(await anon().post(`${BASE}/auth/change-password`).set('Cookie', cookie).send({ oldPassword: 'wrong-old', newPassword: NEW_PASSWORD }), 401, 'INVALID_CREDENTIALS');
    await anon().post(`${BASE}/auth/change-password`).set('Cookie', cookie).send({ oldPassword: PASSWORD, newPassword: NEW_PASSWORD }).expect(200);
    assertError(await anon().get(`${BASE}/user/phones`).set('Cookie', cookie), 401, 'UNAUTHENTICATED');
    assert.equal((await anon().get(`${BASE}/auth/verify`).set('Cookie', cookie).expect(200)).body.data.valid, false);
    await withToken(permanent).get(`${BASE}/user/phones`).expect(200);
    assertError(await anon().post(`${BASE}/auth/login`).send({ password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
    cookie = loginCookie(await anon().post(`${BASE}/auth/login`).send({ password: NEW_PASSWORD }).expect(200)).pair;
  });

  it('logs out: clears the cookie and revokes that login', async () => {
    const old = cookie;
    const out = await anon().post(`${BASE}/auth/logout`).set('Cookie', old).expect(200);
    assert.equal(out.body.success, true);
    const cleared = ([] as string[]).concat(out.headers['set-cookie'] ?? []).find((c) => c.startsWith('sb_token='));
    assert.ok(cleared && /sb_token=;/.test(cleared) && /Path=\/compat\/phones/.test(cleared) && /Expires=Thu, 01 Jan 1970/.test(cleared), cleared);
    assertError(await anon().get(`${BASE}/user/phones`).set('Cookie', old), 401, 'UNAUTHENTICATED');
    cookie = loginCookie(await anon().post(`${BASE}/auth/login`).send({ password: NEW_PASSWORD }).expect(200)).pair;
  });

  it('refuses other credentials in the product shape', async () => {
    assertError(await anon().get(`${BASE}/user/phones`), 401, 'UNAUTHENTICATED');
    assertError(await withToken('sb_not-a-token').get(`${BASE}/user/phones`), 401, 'UNAUTHENTICATED');
    const gateway = (await api(t).post('/api/auth/tokens').send({ name: 'gw', api: 'gateway' }).expect(201)).body.token;
    assertError(await withToken(gateway).get(`${BASE}/user/phones`), 403, 'FORBIDDEN');
    assertError(await withToken(permanent).get(`${BASE}/user/nothing-here`), 404, 'ROUTE_NOT_FOUND');
  });

  it('adds phones within the quota, normalised, and shows quota and allowed media', async () => {
    const empty = await withToken(permanent).get(`${BASE}/user/phones`).expect(200);
    assert.deepEqual(empty.body, { data: { phones: [], quota: { used: 0, limit: 2 }, allowedMedia: ['image', 'document'] } });

    const added = await withToken(permanent).post(`${BASE}/user/phones`).send({ phone: '+91 98765 43210' }).expect(201);
    assert.equal(added.body.success, true);
    const phone = added.body.data;
    assert.deepEqual(Object.keys(phone).sort(), ['connected', 'country', 'createdAt', 'phone', 'pushName', 'sessionId', 'status', 'updatedAt']);
    assert.equal(phone.phone, PHONE);
    assert.equal(phone.country, null);
    assert.equal(phone.status, 'not_connected');
    assert.equal(phone.connected, false);
    assert.equal(phone.sessionId, null);

    assertError(await withToken(permanent).post(`${BASE}/user/phones`).send({ phone: '12' }), 400, 'VALIDATION_FAILED');
    assertError(await withToken(permanent).post(`${BASE}/user/phones`).send({ phone: '12345', country: 'IN' }), 400, 'VALIDATION_FAILED');
    assertError(await withToken(permanent).post(`${BASE}/user/phones`).send({ phone: '7012345678', country: 'India' }), 400, 'VALIDATION_FAILED');
    assertError(await withToken(permanent).post(`${BASE}/user/phones`).send({ phone: 7012345678 }), 400, 'VALIDATION_FAILED');
    assertError(await withToken(permanent).post(`${BASE}/user/phones`).send({ phone: PHONE }), 409, 'PHONE_EXISTS');

    const second = await withToken(permanent).post(`${BASE}/user/phones`).send({ phone: '70123 45678', country: 'IN' }).expect(201);
    assert.equal(second.body.data.phone, PHONE2);
    assert.equal(second.body.data.country, 'IN');
    const over = await withToken(permanent).post(`${BASE}/user/phones`).send({ phone: '+447700900123' });
    assertError(over, 403, 'QUOTA_EXCEEDED');

    const listed = (await withToken(permanent).get(`${BASE}/user/phones`).expect(200)).body.data;
    assert.deepEqual(listed.quota, { used: 2, limit: 2 });
    assert.deepEqual(listed.phones.map((p: { phone: string }) => p.phone), [PHONE, PHONE2]);
    assertError(await withToken(permanent).delete(`${BASE}/user/phones/15550001111`), 404, 'PHONE_NOT_FOUND');
    assertError(await withToken(permanent).post(`${BASE}/user/phones/15550001111/connect`).send({}), 404, 'PHONE_NOT_FOUND');
  });

  it('refuses to send before the phone is connected', async () => {
    const res = await withToken(permanent).post(`${BASE}/user/phones/${PHONE}/message`).send({ recipient: '919812345678', message: 'hi' });
    assertError(res, 403, 'SESSION_NOT_LINKED');
  });

  it('connects with a QR, or a pairing code for the number, and shows the status', async () => {
    const qr = await withToken(permanent).post(`${BASE}/user/phones/${PHONE}/connect`).send({}).expect(200);
    assert.equal(qr.body.data.phone, PHONE);
    assert.equal(qr.body.data.status, 'pairing');
    assert.equal(qr.body.data.method, 'qr');
    assert.equal(typeof qr.body.data.qr, 'string');
    assert.match(qr.body.data.qrCodeDataUrl, /^data:image\/png;base64,/);
    assert.equal(qr.body.data.pairingCode, undefined);

    const paired = await withToken(permanent).post(`${BASE}/user/phones/+${PHONE2}/connect`).send({ pairingCodeMode: true }).expect(200);
    assert.equal(paired.body.data.status, 'pairing');
    assert.equal(paired.body.data.method, 'phone');
    assert.match(paired.body.data.pairingCode, /^[A-Z0-9]{8}$/);
    assert.equal(paired.body.data.qr, undefined);
    assertError(await withToken(permanent).post(`${BASE}/user/phones/${PHONE2}/connect`).send({ pairingCodeMode: 'maybe' }), 400, 'VALIDATION_FAILED');

    const phones = (await withToken(permanent).get(`${BASE}/user/phones`).expect(200)).body.data.phones;
    const first = phones.find((p: { phone: string }) => p.phone === PHONE);
    assert.equal(first.status, 'pairing');
    assert.equal(typeof first.sessionId, 'string');

    // The phone scans the QR (the sandbox's link).
    await api(t).post(`/api/sessions/${first.sessionId}/sandbox/link`).send({ phoneNumber: PHONE }).expect(200);
    const linked = await waitFor(
      async () => {
        const list = (await withToken(permanent).get(`${BASE}/user/phones`).expect(200)).body.data.phones;
        const p = list.find((x: { phone: string }) => x.phone === PHONE);
        return p.status === 'connected' ? p : null;
      },
      { what: 'phone connected' },
    );
    assert.equal(linked.connected, true);
    assert.equal(linked.pushName, 'Sandbox');
    // Connecting a linked phone answers its status, no QR.
    const again = await withToken(permanent).post(`${BASE}/user/phones/${PHONE}/connect`).send({}).expect(200);
    assert.deepEqual(again.body.data, { phone: PHONE, status: 'connected' });
  });

  const ids: string[] = [];
  const send = (body: Record<string, unknown>) => withToken(permanent).post(`${BASE}/user/phones/${PHONE}/message`).send(body);

  it('sends with the documented recipient rules', async () => {
    const plain = await send({ recipient: '919812345678', message: 'Hello from the phones API' }).expect(202);
    assert.deepEqual(Object.keys(plain.body.data).sort(), ['createdAt', 'id', 'messageId', 'recipient', 'replayed', 'status', 'type']);
    assert.equal(plain.body.data.status, 'QUEUED');
    assert.equal(plain.body.data.recipient, '919812345678@s.whatsapp.net');
    assert.equal(plain.body.data.type, 'text');
    assert.equal(plain.body.data.replayed, false);
    ids.push(plain.body.data.id);

    const iso = await send({ recipient: '98123 45678', country: 'IN', message: 'national with ISO country' }).expect(202);
    assert.equal(iso.body.data.recipient, '919812345678@s.whatsapp.net');
    const calling = await send({ recipient: '9812345678', country: '+91', message: 'national with calling code' }).expect(202);
    assert.equal(calling.body.data.recipient, '919812345678@s.whatsapp.net');
    const group = await send({ recipient: '120363000000000001@g.us', message: 'to a group JID' }).expect(202);
    assert.equal(group.body.data.recipient, '120363000000000001@g.us');
    const override = await send({ recipient: 'ignored', jid: '447700900123@s.whatsapp.net', message: 'jid wins' }).expect(202);
    assert.equal(override.body.data.recipient, '447700900123@s.whatsapp.net');
    ids.push(iso.body.data.id, calling.body.data.id, group.body.data.id, override.body.data.id);

    assertError(await send({ recipient: '123456', message: 'too short' }), 400, 'RECIPIENT_INVALID');
    assertError(await send({ recipient: '1234567890123456', message: 'too long' }), 400, 'RECIPIENT_INVALID');
    assertError(await send({ recipient: '12345', country: 'IN', message: 'not Indian' }), 400, 'RECIPIENT_INVALID');
    const badCountry = await send({ recipient: '9812345678', country: 'Narnia', message: 'x' });
    assertError(badCountry, 400, 'RECIPIENT_INVALID');
    assert.equal(badCountry.body.details.fields[0].field, 'country');
    assertError(await send({ recipient: 'someone@nowhere', message: 'bad JID' }), 400, 'RECIPIENT_INVALID');
    assertError(await send({ message: 'no recipient' }), 400, 'RECIPIENT_INVALID');
    assertError(await send({ recipient: '919812345678' }), 400, 'VALIDATION_FAILED');
    assertError(await send({ recipient: '919812345678', message: 'x', extra: true }), 400, 'VALIDATION_FAILED');
    assertError(await withToken(permanent).post(`${BASE}/user/phones/15550001111/message`).send({ recipient: '919812345678', message: 'x' }), 404, 'PHONE_NOT_FOUND');
  });

  it('sends media by link, base64 and upload, within the allowed kinds, and lists as numbered text', async () => {
    const link = await send({ recipient: '919812345678', mediaLink: `${files.url}/photo.png`, message: 'a caption' }).expect(202);
    assert.equal(link.body.data.type, 'image');
    const base64 = await send({ recipient: '919812345678', media: png.toString('base64') }).expect(202);
    assert.equal(base64.body.data.type, 'image');
    const dataUrl = await send({ recipient: '919812345678', media: `data:image/png;base64,${png.toString('base64')}` }).expect(202);
    assert.equal(dataUrl.body.data.type, 'image');
    const upload = await withToken(permanent)
      .post(`${BASE}/user/phones/${PHONE}/message`)
      .field('recipient', '919812345678')
      .field('message', 'the report')
      .field('messageOptions', JSON.stringify({ fileName: 'report.pdf' }))
      .attach('media', Buffer.from('%PDF-1.4\n%%EOF\n'), { filename: 'report.pdf', contentType: 'application/pdf' })
      .expect(202);
    assert.equal(upload.body.data.type, 'document');
    ids.push(link.body.data.id, base64.body.data.id, dataUrl.body.data.id, upload.body.data.id);

    const video = await send({ recipient: '919812345678', mediaLink: `${files.url}/clip.mp4` });
    assertError(video, 415, 'MEDIA_NOT_ALLOWED');
    assert.deepEqual(video.body.details, { kind: 'video', allowed: ['image', 'document'] });
    assertError(await send({ recipient: '919812345678', media: png.toString('base64'), mediaLink: `${files.url}/photo.png` }), 400, 'VALIDATION_FAILED');

    const list = await send({
      recipient: '919812345678',
      message: 'What would you like?',
      list: { footer: 'Reply with a number', sections: [{ title: 'Drinks', rows: [{ title: 'Tea', description: 'hot' }, { title: 'Coffee' }] }] },
    }).expect(202);
    ids.push(list.body.data.id);
    const stored = (await api(t).get(`/api/messages/${list.body.data.id}`).expect(200)).body.message;
    assert.equal(stored.content.text, 'What would you like?\n\nDrinks\n1. Tea — hot\n2. Coffee\n\nReply with a number');
    assertError(await send({ recipient: '919812345678', list: { sections: [] } }), 400, 'VALIDATION_FAILED');

    const quoted = await send({ recipient: '919812345678', message: 'a reply', messageOptions: { quoted: ids[0] } }).expect(202);
    const reply = (await api(t).get(`/api/messages/${quoted.body.data.id}`).expect(200)).body.message;
    assert.equal(reply.content.quoted.text, 'Hello from the phones API');
    ids.push(quoted.body.data.id);
  });

  it('delivers, and pages the history newest first with a recipient filter', async () => {
    const first = await waitFor(
      async () => {
        const page = (await withToken(permanent).get(`${BASE}/user/phones/${PHONE}/messages`).query({ recipient: '447700900123' }).expect(200)).body.data;
        return page.messages[0]?.deliveredAt ? page : null;
      },
      { what: 'message delivered' },
    );
    assert.deepEqual(first.pagination, { page: 1, limit: 50, total: 1, totalPages: 1 });
    assert.equal(first.messages[0].chat, '447700900123@s.whatsapp.net');
    assert.equal(first.messages[0].content.text, 'jid wins');
    assert.ok(['DELIVERED', 'READ', 'PLAYED'].includes(first.messages[0].status), first.messages[0].status);

    const all = (await withToken(permanent).get(`${BASE}/user/phones/${PHONE}/messages`).query({ page: 1, limit: 4 }).expect(200)).body.data;
    assert.equal(all.pagination.total, ids.length);
    assert.equal(all.pagination.totalPages, Math.ceil(ids.length / 4));
    assert.equal(all.messages.length, 4);
    assert.equal(all.messages[0].id, ids[ids.length - 1]);
    const last = (await withToken(permanent).get(`${BASE}/user/phones/${PHONE}/messages`).query({ page: all.pagination.totalPages, limit: 4 }).expect(200)).body.data;
    assert.equal(last.messages.length, ids.length - 4 * (all.pagination.totalPages - 1));
    const national = (await withToken(permanent).get(`${BASE}/user/phones/${PHONE}/messages`).query({ recipient: '9812345678', country: 'IN', limit: 100 }).expect(200)).body.data;
    assert.ok(national.messages.every((m: { chat: string }) => m.chat === '919812345678@s.whatsapp.net'));
    assertError(await withToken(permanent).get(`${BASE}/user/phones/${PHONE}/messages`).query({ page: 0 }), 400, 'VALIDATION_FAILED');
    assertError(await withToken(permanent).get(`${BASE}/user/phones/${PHONE}/messages`).query({ recipient: '12' }), 400, 'RECIPIENT_INVALID');
    const none = (await withToken(permanent).get(`${BASE}/user/phones/${PHONE2}/messages`).expect(200)).body.data;
    assert.deepEqual(none, { messages: [], pagination: { page: 1, limit: 50, total: 0, totalPages: 0 } });
  });

  it('sends the typing indicator and checks numbers by GET and POST', async () => {
    const typing = await withToken(permanent).post(`${BASE}/user/phones/${PHONE}/typing`).send({ recipient: '919812345678', isTyping: true }).expect(200);
    assert.deepEqual(typing.body, { data: { recipient: '919812345678@s.whatsapp.net', isTyping: true } });
    assertError(await withToken(permanent).post(`${BASE}/user/phones/${PHONE}/typing`).send({ recipient: '919812345678' }), 400, 'VALIDATION_FAILED');

    const yes = await withToken(permanent).get(`${BASE}/user/phones/${PHONE}/has-whatsapp`).query({ recipient: '9812345678', country: 'IN' }).expect(200);
    assert.deepEqual(yes.body, { data: { recipient: '919812345678@s.whatsapp.net', exists: true, jid: '919812345678@s.whatsapp.net' } });
    const no = await withToken(permanent).post(`${BASE}/user/phones/${PHONE}/has-whatsapp`).send({ recipient: '15550000' }).expect(200);
    assert.deepEqual(no.body, { data: { recipient: '15550000@s.whatsapp.net', exists: false, jid: null } });
    assertError(await withToken(permanent).post(`${BASE}/user/phones/${PHONE}/has-whatsapp`).send({}), 400, 'VALIDATION_FAILED');
  });

  it('lists groups from a 4-minute cache and one group by id', async () => {
    const fresh = (await withToken(permanent).get(`${BASE}/user/phones/${PHONE}/groups`).expect(200)).body.data;
    assert.equal(fresh.fromCache, false);
    assert.equal(fresh.groups.length, 2);
    assert.deepEqual(Object.keys(fresh.groups[0]).sort(), ['createdAt', 'description', 'jid', 'owner', 'participants', 'subject']);
    const cached = (await withToken(permanent).get(`${BASE}/user/phones/${PHONE}/groups`).expect(200)).body.data;
    assert.equal(cached.fromCache, true);
    assert.equal(cached.cachedAt, fresh.cachedAt);
    const one = (await withToken(permanent).get(`${BASE}/user/phones/${PHONE}/groups/120363000000000001`).expect(200)).body.data.group;
    assert.equal(one.subject, 'Sandbox group 1');
    assertError(await withToken(permanent).get(`${BASE}/user/phones/${PHONE}/groups/999@g.us`), 404, 'GROUP_NOT_FOUND');
    assertError(await withToken(permanent).get(`${BASE}/user/phones/${PHONE2}/groups`), 409, 'SESSION_NOT_READY');
  });

  let webhookId = '';

  it('keeps one webhook per service, stored as a native webhook', async () => {
    assert.deepEqual((await withToken(permanent).get(`${BASE}/user/webhooks`).expect(200)).body, { data: { webhooks: [] } });
    const created = await withToken(permanent).post(`${BASE}/user/webhooks`).send({ url: `${receiver.url}/hook`, services: ['message.received'] }).expect(201);
    assert.equal(created.body.success, true);
    const hook = created.body.data;
    assert.deepEqual(Object.keys(hook).sort(), ['active', 'createdAt', 'id', 'secret', 'services', 'updatedAt', 'url']);
    assert.deepEqual(hook.services, ['message.received']);
    assert.match(hook.secret, /^whsec_/);
    webhookId = hook.id;
    const native = (await api(t).get(`/api/webhooks/${webhookId}`).expect(200)).body.webhook;
    assert.deepEqual(native.events, ['message.received']);

    const taken = await withToken(permanent).post(`${BASE}/user/webhooks`).send({ url: `${receiver.url}/other`, services: ['message.status', 'message.received'] });
    assertError(taken, 409, 'WEBHOOK_SERVICE_TAKEN');
    assert.deepEqual(taken.body.details, { webhookId, services: ['message.received'] });
    assertError(await withToken(permanent).post(`${BASE}/user/webhooks`).send({ url: `${receiver.url}/x`, services: ['message.sent.magic'] }), 400, 'VALIDATION_FAILED');
    assertError(await withToken(permanent).post(`${BASE}/user/webhooks`).send({ url: 'not a url', services: ['session.status'] }), 400, 'VALIDATION_FAILED');
    assertError(await withToken(permanent).post(`${BASE}/user/webhooks`).send({ url: `${receiver.url}/x`, services: [] }), 400, 'VALIDATION_FAILED');

    const status = await withToken(permanent).post(`${BASE}/user/webhooks`).send({ url: `${receiver.url}/status`, services: ['session.status'] }).expect(201);
    assertError(await withToken(permanent).patch(`${BASE}/user/webhooks/${webhookId}`).send({ services: ['session.status'] }), 409, 'WEBHOOK_SERVICE_TAKEN');
    await withToken(permanent).delete(`${BASE}/user/webhooks/${status.body.data.id}`).expect(200);

    const put = await withToken(permanent).raw.put(`${BASE}/user/webhooks/${webhookId}`).set('Authorization', `Bearer ${permanent}`).send({ url: `${receiver.url}/hook`, services: ['message.received', 'message.status'] }).expect(200);
    assert.deepEqual(put.body.data.services, ['message.received', 'message.status']);
    assert.equal(put.body.data.secret, undefined);
    const patched = await withToken(permanent).patch(`${BASE}/user/webhooks/${webhookId}`).send({ url: `${receiver.url}/hook2` }).expect(200);
    assert.equal(patched.body.data.url, `${receiver.url}/hook2`);
    assertError(await withToken(permanent).patch(`${BASE}/user/webhooks/00000000-0000-4000-8000-000000000000`).send({ url: `${receiver.url}/x` }), 404, 'WEBHOOK_NOT_FOUND');
    assertError(await withToken(permanent).patch(`${BASE}/user/webhooks/not-an-id`).send({ url: `${receiver.url}/x` }), 404, 'WEBHOOK_NOT_FOUND');
    const listed = (await withToken(permanent).get(`${BASE}/user/webhooks`).expect(200)).body.data.webhooks;
    assert.deepEqual(listed.map((w: { id: string }) => w.id), [webhookId]);
  });

  it('records who writes in as contacts of the phone, delivers message.received, and pages contacts', async () => {
    const { sessionId } = (await withToken(permanent).get(`${BASE}/user/phones`).expect(200)).body.data.phones.find((p: { phone: string }) => p.phone === PHONE);
    await api(t).post(`/api/sessions/${sessionId}/sandbox/inbound`).send({ from: '447700900123', text: 'Hi phones' }).expect(202);
    await api(t).post(`/api/sessions/${sessionId}/sandbox/inbound`).send({ from: '919812345678', text: 'Hello too' }).expect(202);

    const event = await waitFor(() => receiver.requests.find((r) => r.path === '/hook2' && r.body?.event === 'message.received' && r.body?.data?.message?.content?.text === 'Hi phones'), { what: 'message.received webhook' });
    assert.equal(event.headers['x-switchboard-event'], 'message.received');

    // A native session's contacts are not the phones manager's.
    const native = await linkedSession(t, '15557770001');
    await api(t).post(`/api/sessions/${native.id}/sandbox/inbound`).send({ from: '15550009999', text: 'native only' }).expect(202);
    await waitFor(async () => (await api(t).get('/api/contacts').query({ sessionId: native.id }).expect(200)).body.contacts.length === 1, { what: 'native contact' });

    const all = (await withToken(permanent).get(`${BASE}/user/contacts`).expect(200)).body.data;
    assert.equal(all.total, 2);
    assert.ok(all.contacts.every((c: { sessionId: string }) => c.sessionId === sessionId));
    const contact = all.contacts.find((c: { jid: string }) => c.jid === '447700900123@s.whatsapp.net');
    assert.equal(contact.phone, PHONE);
    assert.equal(contact.phoneNumber, '447700900123');
    const ofPhone = (await withToken(permanent).get(`${BASE}/user/contacts/${PHONE}`).expect(200)).body.data;
    assert.equal(ofPhone.total, 2);
    assert.equal((await withToken(permanent).get(`${BASE}/user/contacts/${PHONE2}`).expect(200)).body.data.total, 0);
    assertError(await withToken(permanent).get(`${BASE}/user/contacts/15550001111`), 404, 'PHONE_NOT_FOUND');
    const page = (await withToken(permanent).get(`${BASE}/user/contacts/pagination`).query({ page: 2, limit: 1 }).expect(200)).body.data;
    assert.deepEqual(page.pagination, { page: 2, limit: 1, total: 2, totalPages: 2 });
    assert.equal(page.contacts.length, 1);
    assertError(await withToken(permanent).get(`${BASE}/user/contacts/pagination`).query({ limit: 'lots' }), 400, 'VALIDATION_FAILED');
  });

  it('deletes a webhook once', async () => {
    await withToken(permanent).delete(`${BASE}/user/webhooks/${webhookId}`).expect(200);
    assertError(await withToken(permanent).delete(`${BASE}/user/webhooks/${webhookId}`), 404, 'WEBHOOK_NOT_FOUND');
    assert.equal((await api(t).get(`/api/webhooks/${webhookId}`).expect(404)).body.error.code, 'WEBHOOK_NOT_FOUND');
  });

  it('disconnects (keeping the link), reconnects without a QR, and deletes a phone', async () => {
    const down = await withToken(permanent).post(`${BASE}/user/phones/${PHONE}/disconnect`).send({}).expect(200);
    assert.equal(down.body.data.status, 'disconnected');
    assert.equal(down.body.data.connected, false);
    const up = await withToken(permanent).post(`${BASE}/user/phones/${PHONE}/connect`).send({}).expect(200);
    assert.deepEqual(up.body.data, { phone: PHONE, status: 'connected' });

    await withToken(permanent).delete(`${BASE}/user/phones/${PHONE2}`).expect(200);
    assertError(await withToken(permanent).delete(`${BASE}/user/phones/${PHONE2}`), 404, 'PHONE_NOT_FOUND');
    const left = (await withToken(permanent).get(`${BASE}/user/phones`).expect(200)).body.data;
    assert.deepEqual(left.phones.map((p: { phone: string }) => p.phone), [PHONE]);
    assert.deepEqual(left.quota, { used: 1, limit: 2 });
  });

  it('is described in its own Swagger document', async () => {
    const doc = (await anon().get('/docs/phones-json').expect(200)).body;
    for (const path of ['/auth/login', '/user/phones/{phone}/message', '/user/contacts/pagination', '/user/webhooks/{id}', '/health/resources']) {
      assert.ok(doc.paths[`${BASE}${path}`], path);
    }
    assert.ok(doc.paths[`${BASE}/user/webhooks/{id}`].put && doc.paths[`${BASE}/user/webhooks/{id}`].patch);
    assert.ok(doc.paths[`${BASE}/auth/verify`].get && doc.paths[`${BASE}/auth/verify`].post);
    const message = doc.paths[`${BASE}/user/phones/{phone}/message`].post;
    assert.ok(message.responses['202'] && message.responses['415'] && message.responses['404']);
    assert.deepEqual(Object.keys(doc.components.schemas.PhonesErrorDto.properties).sort(), ['code', 'details', 'error', 'success']);
    assert.ok(message.requestBody.content['multipart/form-data']);
  });
});

describe('Phones manager API: password throttle and https cookie', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { LOGIN_MAX_FAILURES: '2', LOGIN_MAX_FAILURES_GLOBAL: '100' } });
    await api(t).post(`${BASE}/auth/change-password`).send({ newPassword: PASSWORD }).expect(200);
  });
  after(async () => {
    await t?.destroy();
  });

  it('marks the cookie Secure behind an https proxy', async () => {
    const login = await request(t.url).post(`${BASE}/auth/login`).set('X-Forwarded-Proto', 'https').send({ password: PASSWORD }).expect(200);
    assert.match(loginCookie(login).attributes, /Secure/);
  });

  it('counts wrong passwords with the native login throttle, answering 429 in the product shape', async () => {
    for (let i = 0; i < 2; i++) assertError(await request(t.url).post(`${BASE}/auth/login`).send({ password: 'wrong-password' }), 401, 'INVALID_CREDENTIALS');
    const limited = await request(t.url).post(`${BASE}/auth/login`).send({ password: PASSWORD });
    assertError(limited, 429, 'TOO_MANY_ATTEMPTS');
    assert.equal(typeof limited.body.details.retryAfterSeconds, 'number');
    assertError(await request(t.url).post(`${BASE}/auth/generate-token`).set('Authorization', `Bearer ${TEST_API_KEY}`).send({ password: PASSWORD }), 429, 'TOO_MANY_ATTEMPTS');
  });
});
