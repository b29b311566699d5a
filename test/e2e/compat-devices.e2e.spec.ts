import assert from 'node:assert/strict';
import request from 'supertest';
import { after, before, describe, it } from '../support/node-test';
import { api, eventually } from '../support/http';
import { mediaFixtures, serveFiles, type FileServer } from '../support/media-fixtures';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { FAST_WEBHOOK_ENV, WebhookReceiver } from '../support/webhook-receiver';
import { getMessage } from '../support/factories';

const BASE = '/compat/devices/api';
/** The key the client already has, registered as a Switchboard token for this API. */
const DEVICES_KEY = 'existing-devices-apikey-0001';
const GATEWAY_KEY = 'existing-gateway-apikey-0001';
const PHONE = '628123456789';

/** Requests as a device-token gateway client makes them: the `apikey` header (or none). */
function client(t: TestApp, key: string | null = DEVICES_KEY) {
  const agent = request(t.url);
  const auth = <T extends request.Test>(r: T): T => (key ? (r.set('apikey', key) as T) : r);
  return {
    get: (path: string) => auth(agent.get(`${BASE}${path}`)),
    post: (path: string) => auth(agent.post(`${BASE}${path}`)),
    delete: (path: string) => auth(agent.delete(`${BASE}${path}`)),
  };
}

/** The native session behind a device (admin view), by its name. */
async function sessionOf(t: TestApp, token: string): Promise<Record<string, any>> {
  const { body } = await api(t).get(`/api/sessions?q=${encodeURIComponent(token)}`).expect(200);
  const session = body.sessions.find((s: { name: string }) => s.name === token);
  assert.ok(session, `no native session named ${token}`);
  return session;
}

/** Waits for the message to leave the queue and asserts it reached the phone (DELIVERED, or READ just after), showing it when not. */
async function delivered(t: TestApp, id: string): Promise<Record<string, any>> {
  const m = await eventually(async () => {
    const got = await getMessage(t, id);
    return ['DELIVERED', 'READ', 'FAILED', 'EXPIRED', 'CANCELED'].includes(got.status) ? got : null;
  });
  assert.ok(['DELIVERED', 'READ'].includes(m.status), JSON.stringify(m));
  return m;
}

/** Every operation of a product API's Swagger document, path parameters filled with `1`. */
async function documentedRoutes(t: TestApp, product: string): Promise<{ path: string; method: string }[]> {
  const doc = (await request(t.url).get(`/docs/${product}-json`).expect(200)).body as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((method) => ({ path: path.replace(/\{[^}]+\}/g, '1'), method })),
  );
}

function assertError(res: request.Response, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message', 'status']);
  assert.equal(res.body.status, false);
  assert.equal(res.body.code, code);
  assert.equal(typeof res.body.message, 'string');
  assert.ok(res.body.message.length > 0);
}

describe('Device-token gateway API (/compat/devices) with the sandbox engine', () => {
  let t: TestApp;
  let hooks: WebhookReceiver;
  let files: FileServer;
  let dev: ReturnType<typeof client>;
  let mobid: string;

  before(async () => {
    const fx = await mediaFixtures();
    files = await serveFiles({ 'photo.png': fx.png, 'invoice.pdf': fx.pdf, 'tone.mp3': fx.mp3 });
    hooks = await WebhookReceiver.start();
    t = await startTestApp({ env: { ...FAST_WEBHOOK_ENV, QUEUE_POLL_INTERVAL_MS: '50', MEDIA_URL_ALLOWLIST: '127.0.0.1' } });
    const created = await api(t).post('/api/auth/tokens').send({ name: 'devices client', api: 'devices', secret: DEVICES_KEY }).expect(201);
    assert.equal(created.body.api, 'devices');
    await api(t).post('/api/auth/tokens').send({ name: 'gateway client', api: 'gateway', secret: GATEWAY_KEY }).expect(201);
    dev = client(t);
  });
  after(async () => {
    await t?.destroy();
    await hooks?.close();
    await files?.close();
  });

  it('1. start creates the device: a native QR session named after the token, reject settings mirrored', async () => {
    const res = await dev.post('/start').send({ token: 'shop-1', reject_call: 'Y', reject_message: 'Busy' }).expect(200);
    assert.deepEqual(res.body, { status: true, message: 'Session started', token: 'shop-1', state: 'REGISTERING' });
    const session = await sessionOf(t, 'shop-1');
    assert.equal(session.method, 'qr');
    assert.equal(session.settings.rejectCalls, true);
    assert.equal(session.settings.rejectMessage, 'Busy');
  });

  it('2. qrcode answers a PNG data URL before linking; status says DISCONNECTED', async () => {
    const qr = await dev.post('/qrcode').send({ token: 'shop-1' }).expect(200);
    assert.deepEqual(Object.keys(qr.body).sort(), ['qrcode', 'status']);
    assert.equal(qr.body.status, true);
    assert.match(qr.body.qrcode, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    assert.equal(Buffer.from(qr.body.qrcode.split(',')[1], 'base64').subarray(1, 4).toString(), 'PNG');

    const status = await dev.get('/status?token=shop-1').expect(200);
    assert.deepEqual(status.body, { status: false, message: 'DISCONNECTED', name: '', phone: '', pic: '', data: { id: '', lid: '', name: '' } });
  });

  it('3. once linked: qrcode and status answer the AUTHENTICATED profile', async () => {
    const session = await sessionOf(t, 'shop-1');
    const linked = await api(t).post(`/api/sessions/${session.sessionId}/sandbox/link`).send({ phoneNumber: PHONE }).expect(200);
    mobid = linked.body.session.mobid;
    assert.ok(mobid);
    const profile = { status: true, message: 'AUTHENTICATED', name: 'Sandbox', phone: PHONE, pic: '', data: { id: `${PHONE}@s.whatsapp.net`, lid: `${mobid}@lid`, name: 'Sandbox' } };
    assert.deepEqual((await dev.post('/qrcode').send({ token: 'shop-1' }).expect(200)).body, profile);
    assert.deepEqual((await dev.get('/status').query({ token: 'shop-1' }).expect(200)).body, profile);
    // Clients put the token in the query string of a POST too.
    assert.deepEqual((await dev.post('/qrcode?token=shop-1').send({}).expect(200)).body, profile);
  });

  it('4. webhook: the device gets every event of its session at the URL, delivered through the native webhooks', async () => {
    const created = await dev.post('/webhook').send({ token: 'shop-1', url: `${hooks.url}/first` }).expect(200);
    assert.deepEqual(created.body, { status: true, message: 'Webhook created', token: 'shop-1', url: `${hooks.url}/first` });
    const updated = await dev.post('/webhook').send({ token: 'shop-1', url: `${hooks.url}/device` }).expect(200);
    assert.equal(updated.body.message, 'Webhook updated');
    const native = await api(t).get('/api/webhooks').expect(200);
    const mine = native.body.webhooks.filter((w: { origin: string }) => w.origin === 'device');
    assert.equal(mine.length, 1);
    assert.equal(mine[0].url, `${hooks.url}/device`);
  });

  it('5. send: a text reaches DELIVERED through the native queue, and the webhook reports it', async () => {
    const res = await dev.post('/send?token=shop-1').send({ phone: '+62 811-2233-4455', message: 'Hello World' }).expect(200);
    assert.deepEqual(Object.keys(res.body).sort(), ['data', 'message', 'status']);
    assert.equal(res.body.status, true);
    assert.equal(res.body.message, 'Message queued');
    const { data } = res.body;
    assert.deepEqual(Object.keys(data).sort(), ['id', 'message_id', 'status', 'to', 'type']);
    assert.equal(data.to, '6281122334455@s.whatsapp.net');
    assert.equal(data.type, 'text');
    assert.equal(data.status, 'QUEUED');
    const sent = await delivered(t, data.id);
    assert.equal(sent.waMessageId, data.message_id);
    assert.equal(sent.content.text, 'Hello World');
    await hooks.waitFor((r) => r.accepted.some((q) => q.path === '/device' && q.body?.event === 'message.status' && q.body.data.messageId === data.id && q.body.data.status === 'DELIVERED'));
  });

  it('6. send media from file_url: the kind follows the fetched bytes, message is the caption', async () => {
    const image = await dev.post('/send').send({ token: 'shop-1', phone: PHONE, message: 'Our catalogue', file_url: `${files.url}/photo.png` }).expect(200);
    assert.equal(image.body.data.type, 'image');
    const doc = await dev.post('/send').send({ token: 'shop-1', phone: PHONE, message: 'Your invoice', file_url: `${files.url}/invoice.pdf`, file_name: 'invoice-42.pdf' }).expect(200);
    assert.equal(doc.body.data.type, 'document');
    const audio = await dev.post('/send').send({ token: 'shop-1', phone: PHONE, file_url: `${files.url}/tone.mp3` }).expect(200);
    assert.equal(audio.body.data.type, 'audio');
    // A group JID is taken as it is.
    const group = await dev.post('/send').send({ token: 'shop-1', phone: '120363000000000001@g.us', message: 'Hi all' }).expect(200);
    assert.equal(group.body.data.to, '120363000000000001@g.us');

    const img = await delivered(t, image.body.data.id);
    assert.equal(img.type, 'image');
    assert.equal(img.content.caption, 'Our catalogue');
    const pdf = await delivered(t, doc.body.data.id);
    assert.equal(pdf.type, 'document');
    assert.equal(pdf.content.fileName, 'invoice-42.pdf');
    assert.equal((await delivered(t, audio.body.data.id)).type, 'audio');
  });

  it('7. reject_call: a call to the device is declined natively with the reject message', async () => {
    const session = await sessionOf(t, 'shop-1');
    await api(t).post(`/api/sessions/${session.sessionId}/sandbox/call`).send({ from: '6285000000001' }).expect(202);
    await hooks.waitFor((r) => r.accepted.some((q) => q.body?.event === 'call.received' && q.body.data.rejected === true && q.body.data.replyMessageId));
    const call = hooks.accepted.find((q) => q.body?.event === 'call.received')!;
    const reply = await getMessage(t, call.body.data.replyMessageId);
    assert.equal(reply.content.text, 'Busy');
  });

  it('8. contacts and groups of the device', async () => {
    const session = await sessionOf(t, 'shop-1');
    await api(t).post(`/api/sessions/${session.sessionId}/sandbox/inbound`).send({ from: '6281299990001', text: 'hi' }).expect(202);
    const contacts = await eventually(async () => {
      const res = await dev.get('/contacts?token=shop-1').expect(200);
      return res.body.data.some((c: { phone: string }) => c.phone === '6281299990001') ? res.body : null;
    });
    assert.equal(contacts.status, true);
    const contact = contacts.data.find((c: { phone: string }) => c.phone === '6281299990001');
    assert.deepEqual(Object.keys(contact).sort(), ['id', 'lid', 'name', 'notify', 'phone']);
    assert.equal(contact.id, '6281299990001@s.whatsapp.net');
    assert.equal(typeof contacts.total, 'number');

    const groups = await dev.get('/groups').query({ token: 'shop-1' }).expect(200);
    assert.equal(groups.body.status, true);
    assert.equal(groups.body.data.length, 2);
    assert.deepEqual(Object.keys(groups.body.data[0]).sort(), ['description', 'id', 'name', 'owner', 'participants', 'size', 'subject']);
    assert.match(groups.body.data[0].id, /@g\.us$/);
  });

  it('9. devices: paging, search on token and number, workspace filter; workspaces', async () => {
    await dev.post('/start').send({ token: 'shop-2' }).expect(200);
    await dev.post('/start').send({ token: 'office-3' }).expect(200);
    const ws = await dev.post('/workspace').send({ token: 'shop-2', workspace: 'Marketing' }).expect(200);
    assert.deepEqual(ws.body, { status: true, message: 'Workspace updated', token: 'shop-2', workspace: 'Marketing' });

    const page1 = await dev.get('/devices?page=1&limit=2').expect(200);
    assert.deepEqual(Object.keys(page1.body).sort(), ['data', 'limit', 'page', 'status', 'total']);
    assert.deepEqual([page1.body.status, page1.body.total, page1.body.page, page1.body.limit, page1.body.data.length], [true, 3, 1, 2, 2]);
    const page2 = await dev.get('/devices?page=2&limit=2').expect(200);
    assert.equal(page2.body.data.length, 1);
    const all = [...page1.body.data, ...page2.body.data];
    assert.deepEqual(all.map((d: { token: string }) => d.token).sort(), ['office-3', 'shop-1', 'shop-2']);
    const shop1 = all.find((d: { token: string }) => d.token === 'shop-1');
    assert.deepEqual(Object.keys(shop1).sort(), ['created_at', 'name', 'phone', 'reject_call', 'reject_message', 'state', 'status', 'token', 'webhook', 'workspace']);
    assert.deepEqual(
      { ...shop1, created_at: undefined },
      { token: 'shop-1', name: 'Sandbox', phone: PHONE, status: 'AUTHENTICATED', state: 'READY', workspace: null, webhook: `${hooks.url}/device`, reject_call: 'Y', reject_message: 'Busy', created_at: undefined },
    );

    const search = await dev.get('/devices?q=shop').expect(200);
    assert.deepEqual(search.body.data.map((d: { token: string }) => d.token).sort(), ['shop-1', 'shop-2']);
    const byNumber = await dev.get(`/devices?q=${PHONE.slice(0, 8)}`).expect(200);
    assert.deepEqual(byNumber.body.data.map((d: { token: string }) => d.token), ['shop-1']);
    const byWorkspace = await dev.get('/devices?workspace=Marketing').expect(200);
    assert.deepEqual(byWorkspace.body.data.map((d: { token: string; workspace: string }) => [d.token, d.workspace]), [['shop-2', 'Marketing']]);
    assert.equal(byWorkspace.body.total, 1);

    const workspaces = await dev.get('/workspaces').expect(200);
    assert.deepEqual(workspaces.body, { status: true, data: ['Marketing'], workspaces: [{ name: 'Marketing', devices: 1 }] });
  });

  it('10. the native workspace routes keep working unchanged', async () => {
    const native = await api(t).get('/api/workspaces').expect(200);
    assert.deepEqual(native.body, { success: true, workspaces: [{ name: 'Marketing', sessions: 1 }] });
    const office = await sessionOf(t, 'office-3');
    const assigned = await api(t).post('/api/workspace').send({ token: office.sessionId, workspace: 'Support' }).expect(200);
    assert.equal(assigned.body.session.settings.workspace, 'Support');
    const byWorkspace = await dev.get('/devices?workspace=Support').expect(200);
    assert.deepEqual(byWorkspace.body.data.map((d: { token: string }) => d.token), ['office-3']);
    const cleared = await dev.post('/workspace').send({ token: 'office-3', workspace: '' }).expect(200);
    assert.equal(cleared.body.workspace, null);
  });

  it('11. pairing with a phone number, and back to QR', async () => {
    const paired = await dev.post('/pairing-code').send({ token: 'shop-2', phone: '+62 812-3456-7890' }).expect(200);
    assert.deepEqual(Object.keys(paired.body).sort(), ['code', 'phone', 'status']);
    assert.equal(paired.body.status, true);
    assert.match(paired.body.code, /^[A-Z0-9]{8}$/);
    assert.equal(paired.body.phone, '6281234567890');
    const again = await dev.post('/qrcode').send({ token: 'shop-2', phone: '6281234567890' }).expect(200);
    assert.equal(again.body.code, paired.body.code);
    assert.equal((await sessionOf(t, 'shop-2')).method, 'phone');

    const qr = await dev.post('/qrcode').send({ token: 'shop-2' }).expect(200);
    assert.match(qr.body.qrcode, /^data:image\/png;base64,/);
    assert.equal((await sessionOf(t, 'shop-2')).method, 'qr');

    assertError(await dev.post('/pairing-code').send({ token: 'shop-1', phone: '6281234567890' }), 409, 'SESSION_ALREADY_LINKED');
    assertError(await dev.post('/pairing-code').send({ token: 'shop-2', phone: '12345' }), 400, 'VALIDATION_FAILED');
  });

  it('12. logout unlinks but keeps the device; qrcode links again; reconnect restarts', async () => {
    assert.deepEqual((await dev.post('/logout?token=shop-1').expect(200)).body, { status: true, message: 'Logged out' });
    assert.deepEqual((await dev.get('/status?token=shop-1').expect(200)).body, {
      status: false,
      message: 'DISCONNECTED',
      name: '',
      phone: '',
      pic: '',
      data: { id: '', lid: '', name: '' },
    });
    assertError(await dev.post('/send').send({ token: 'shop-1', phone: PHONE, message: 'x' }), 403, 'SESSION_NOT_LINKED');
    const qr = await dev.post('/qrcode').send({ token: 'shop-1' }).expect(200);
    assert.match(qr.body.qrcode, /^data:image\/png;base64,/);
    const session = await sessionOf(t, 'shop-1');
    await api(t).post(`/api/sessions/${session.sessionId}/sandbox/link`).send({ phoneNumber: PHONE }).expect(200);
    const reconnect = await dev.post('/reconnect').send({ token: 'shop-1' }).expect(200);
    assert.equal(reconnect.body.status, true);
    assert.equal(reconnect.body.message, 'Reconnecting');
    await eventually(async () => (await dev.get('/status?token=shop-1').expect(200)).body.message === 'AUTHENTICATED');
    // start on an existing device restarts it and keeps its settings unless given.
    const restarted = await dev.post('/start').send({ token: 'shop-1' }).expect(200);
    assert.equal(restarted.body.message, 'Session restarted');
    assert.equal((await sessionOf(t, 'shop-1')).settings.rejectCalls, true);
  });

  it('13. DELETE /api/device removes the session, its webhook and the token; the name can be used again', async () => {
    const before = await sessionOf(t, 'shop-2');
    assert.deepEqual((await dev.delete('/device?token=shop-2').expect(200)).body, { status: true, message: 'Device deleted' });
    assertError(await dev.get('/status?token=shop-2'), 404, 'SESSION_NOT_FOUND');
    assertError(await dev.delete('/device?token=shop-2'), 404, 'SESSION_NOT_FOUND');
    const gone = (await api(t).get(`/api/sessions/${before.sessionId}`).expect(200)).body.session;
    assert.equal(gone.status, 'INACTIVE');
    const list = await dev.get('/devices').expect(200);
    assert.deepEqual(list.body.data.map((d: { token: string }) => d.token).sort(), ['office-3', 'shop-1']);
    // It was the only device in Marketing: the workspace is gone with it.
    assert.deepEqual((await dev.get('/workspaces').expect(200)).body, { status: true, data: [], workspaces: [] });
    const again = await dev.post('/start').send({ token: 'shop-2' }).expect(200);
    assert.equal(again.body.message, 'Session started');
    assert.notEqual((await sessionOf(t, 'shop-2')).sessionId, before.sessionId);
  });

  it('answers every route without apikey with 401 in the product shape', async () => {
    const anon = client(t, null);
    const calls = [
      anon.post('/start').send({ token: 'shop-1' }),
      anon.post('/qrcode').send({ token: 'shop-1' }),
      anon.post('/pairing-code').send({ token: 'shop-1', phone: PHONE }),
      anon.get('/status?token=shop-1'),
      anon.post('/send').send({ token: 'shop-1', phone: PHONE, message: 'x' }),
      anon.get('/contacts?token=shop-1'),
      anon.get('/groups?token=shop-1'),
      anon.post('/logout?token=shop-1'),
      anon.post('/reconnect?token=shop-1'),
      anon.get('/devices'),
      anon.delete('/device?token=shop-1'),
      anon.post('/webhook').send({ token: 'shop-1', url: hooks.url }),
      anon.post('/workspace').send({ token: 'shop-1', workspace: 'x' }),
      anon.get('/workspaces'),
    ];
    for (const res of await Promise.all(calls)) assertError(res, 401, 'UNAUTHENTICATED');
    assertError(await client(t, 'not-a-key-at-all-0000').get('/status?token=shop-1'), 401, 'UNAUTHENTICATED');
    assertError(await client(t, 'not-a-key-at-all-0000').get('/devices'), 401, 'UNAUTHENTICATED');
    assert.equal((await dev.get('/status?token=shop-1')).status, 200);
  });

  it('refuses credentials of other APIs (403) and devices tokens elsewhere (403)', async () => {
    const gateway = client(t, GATEWAY_KEY);
    assertError(await gateway.get('/status?token=shop-1'), 403, 'FORBIDDEN');
    assertError(await gateway.post('/send').send({ token: 'shop-1', phone: PHONE, message: 'x' }), 403, 'FORBIDDEN');
    assertError(await gateway.get('/devices'), 403, 'FORBIDDEN');
    assertError(await gateway.post('/webhook').send({ token: 'shop-1', url: hooks.url }), 403, 'FORBIDDEN');

    const native = await api(t, DEVICES_KEY).get('/api/sessions').expect(403);
    assert.equal(native.body.error.code, 'FORBIDDEN');
    await api(t, DEVICES_KEY).post('/api/messages/send').send({ sessionId: 'x', to: PHONE, type: 'text', text: 'x' }).expect(403);
    await request(t.url).get('/api/workspaces').set('apikey', DEVICES_KEY).expect(403);

    // The admin credential works here in the product's header style.
    assert.equal((await client(t, TEST_API_KEY).get('/status?token=shop-1').expect(200)).body.message, 'AUTHENTICATED');
    assert.equal((await client(t, TEST_API_KEY).get('/devices').expect(200)).body.status, true);
  });

  it('every route of this API, as its Swagger document lists them, refuses no credential (401) and another API\'s token (403) before reading the input', async () => {
    const routes = await documentedRoutes(t, 'devices');
    assert.equal(routes.length, 15);
    for (const { path, method } of routes) {
      const anonymous = await (request(t.url) as any)[method](path);
      assertError(anonymous, 401, 'UNAUTHENTICATED');
      assertError(await (request(t.url) as any)[method](path).set('apikey', GATEWAY_KEY), 403, 'FORBIDDEN');
    }
  });

  it('a devices token is refused on the WA Gateway API routes (403)', async (ctx) => {
    const routes = await documentedRoutes(t, 'gateway');
    if (!routes.length) return ctx.skip('no WA Gateway routes are served in this build');
    let checked = 0;
    for (const { path, method } of routes) {
      const anonymous = await (request(t.url) as any)[method](path);
      if (anonymous.status !== 401) continue; // a public route of that API: no credential to refuse
      const res = await (request(t.url) as any)[method](path).set('X-API-Key', DEVICES_KEY).set('apikey', DEVICES_KEY);
      assert.equal(res.status, 403, `${method.toUpperCase()} ${path}: ${JSON.stringify(res.body)}`);
      checked++;
    }
    assert.ok(checked > 0, 'no WA Gateway route needs a credential');
  });

  it('answers bad input with 4xx in the product shape, never a 500', async () => {
    assertError(await dev.post('/send').send({ token: 'shop-1', phone: 'abc', message: 'x' }), 400, 'RECIPIENT_INVALID');
    assertError(await dev.post('/send').send({ token: 'shop-1', phone: '12345', message: 'x' }), 400, 'RECIPIENT_INVALID');
    assertError(await dev.post('/send').send({ token: 'shop-1', phone: 'someone@example.com', message: 'x' }), 400, 'RECIPIENT_INVALID');
    assertError(await dev.post('/send').send({ token: 'shop-1', phone: PHONE }), 400, 'VALIDATION_FAILED');
    assertError(await dev.post('/send').send({ token: 'shop-1', phone: PHONE, message: '   ' }), 400, 'VALIDATION_FAILED');
    assertError(await dev.post('/send').send({ token: 'shop-1', phone: PHONE, file_url: 'ftp://example.com/x.png' }), 400, 'VALIDATION_FAILED');
    assertError(await dev.post('/send').send({ token: 'shop-1', phone: PHONE, message: 'x', extra: 1 }), 400, 'VALIDATION_FAILED');
    assertError(await dev.post('/send').send({ phone: PHONE, message: 'x' }), 400, 'VALIDATION_FAILED');
    assertError(await dev.post('/send?token=shop-1').send({ token: 'office-3', phone: PHONE, message: 'x' }), 400, 'VALIDATION_FAILED');
    assertError(await dev.post('/send').send({ token: 'no-such-device', phone: PHONE, message: 'x' }), 404, 'SESSION_NOT_FOUND');
    assertError(await dev.post('/send').send({ token: 'shop-1', phone: PHONE, file_url: `${files.url}/missing` }), 422, 'MEDIA_FETCH_FAILED');
    assertError(await dev.post('/start').send({ token: 'shop 1' }), 400, 'VALIDATION_FAILED');
    assertError(await dev.post('/start').send({ token: 'shop-1', reject_call: 'maybe' }), 400, 'VALIDATION_FAILED');
    assertError(await dev.post('/start').send({}), 400, 'VALIDATION_FAILED');
    assertError(await dev.get('/status'), 400, 'VALIDATION_FAILED');
    assertError(await dev.get('/status?token=nope'), 404, 'SESSION_NOT_FOUND');
    assertError(await dev.post('/qrcode').send({ token: 'nope' }), 404, 'SESSION_NOT_FOUND');
    assertError(await dev.get('/devices?limit=101'), 400, 'VALIDATION_FAILED');
    assertError(await dev.get('/devices?page=0'), 400, 'VALIDATION_FAILED');
    assertError(await dev.post('/webhook').send({ token: 'shop-1', url: 'not a url' }), 400, 'VALIDATION_FAILED');
    assertError(await dev.post('/webhook').send({ token: 'nope', url: hooks.url }), 404, 'SESSION_NOT_FOUND');
    assertError(await dev.post('/workspace').send({ token: 'shop-1' }), 400, 'VALIDATION_FAILED');
    assertError(await dev.post('/send').set('Content-Type', 'application/json').send('{"token":'), 400, 'MALFORMED_JSON');
    assertError(await dev.get('/no-such-route'), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('Device-token gateway API with DEVICES_TOKEN_AUTH=true', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ env: { DEVICES_TOKEN_AUTH: 'true' } });
    await api(t).post('/api/auth/tokens').send({ name: 'devices client', api: 'devices', secret: DEVICES_KEY }).expect(201);
    await client(t).post('/start').send({ token: 'kiosk-1' }).expect(200);
    await client(t).post('/start').send({ token: 'kiosk-2' }).expect(200);
  });
  after(async () => {
    await t?.destroy();
  });

  it('per-device routes accept the device token alone, acting on that device only', async () => {
    const anon = client(t, null);
    assert.equal((await anon.get('/status?token=kiosk-1').expect(200)).body.message, 'DISCONNECTED');
    assert.match((await anon.post('/qrcode').send({ token: 'kiosk-1' }).expect(200)).body.qrcode, /^data:image\/png;base64,/);
    assert.equal((await anon.post('/start').send({ token: 'kiosk-1', reject_call: 'Y' }).expect(200)).body.message, 'Session restarted');
    assert.equal((await anon.post('/reconnect?token=kiosk-1').expect(200)).body.status, true);
    assertError(await anon.post('/send').send({ token: 'kiosk-1', phone: PHONE, message: 'x' }), 403, 'SESSION_NOT_LINKED');
    assertError(await anon.get('/status?token=kiosk-9'), 404, 'SESSION_NOT_FOUND');
  });

  it('still needs the apikey to create a device and on the protected routes; a bad apikey is never bypassed', async () => {
    const anon = client(t, null);
    assertError(await anon.post('/start').send({ token: 'kiosk-new' }), 401, 'UNAUTHENTICATED');
    for (const res of await Promise.all([
      anon.get('/devices'),
      anon.delete('/device?token=kiosk-1'),
      anon.post('/webhook').send({ token: 'kiosk-1', url: 'https://example.com/hook' }),
      anon.post('/workspace').send({ token: 'kiosk-1', workspace: 'x' }),
      anon.get('/workspaces'),
    ]))
      assertError(res, 401, 'UNAUTHENTICATED');
    assertError(await client(t, 'wrong-key-000000000000').get('/status?token=kiosk-1'), 401, 'UNAUTHENTICATED');
    assert.equal((await client(t).get('/devices').expect(200)).body.total, 2);
  });
});
