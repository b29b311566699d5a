import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from '../support/node-test';
import { CloudApiExceptionFilter } from '../../src/cloud-api/cloud-api-exception.filter';
import { decodeWamid, encodeWamid } from '../../src/cloud-api/wamid';
import { phoneNumberIdOf } from '../../src/common/utils/graph-ids';
import { NativeExceptionFilter } from '../../src/common/filters/native-exception.filter';
import { api } from '../support/http';
import { linkedSandboxSession, receiveText, sandboxOf, sentByWamid } from '../support/cloud-api';
import { mediaFixtures, serveFiles, type FileServer, type MediaFixtures } from '../support/media-fixtures';
import { FAST_QUEUE_ENV, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';

/** Graph's envelope without `error_data` (auth, paths), traced by our request id. */
const graphError = (res: { headers: Record<string, string> }, code: number, message: string) => ({
  error: { message, type: 'OAuthException', code, fbtrace_id: res.headers['x-request-id'] },
});
/** Meta's envelope of a WhatsApp error: `(#code) title`, the details in `error_data`. */
const whatsappError = (res: { headers: Record<string, string> }, code: number, title: string, details: string) => ({
  error: { message: `(#${code}) ${title}`, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details }, fbtrace_id: res.headers['x-request-id'] },
});

/** Bodies the facade refuses before any lookup: [what, body, Meta code, title, details] (every rule is in the validation unit spec). */
const REFUSED: [string, Record<string, unknown>, number, string, string][] = [
  ['no messaging_product', { messaging_product: undefined, text: { body: 'x' } }, 100, 'Invalid parameter', 'The parameter messaging_product is required.'],
  ['a text without body', { type: 'text', text: { preview_url: true } }, 131008, 'Required parameter is missing', "The parameter text['body'] is required."],
  ['media by id and link', { type: 'image', image: { id: '1037543291543636', link: 'https://e.x/a.png' } }, 131009, 'Parameter value is not valid', 'Param image must have either id or link, not both.'],
  ['an order', { type: 'order', order: {} }, 131051, 'Unsupported message type', 'Message type order is not supported.'],
  [
    'four reply buttons',
    { type: 'interactive', interactive: { type: 'button', body: { text: 'x' }, action: { buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `b${i}`, title: `B${i}` } })) } } },
    131009,
    'Parameter value is not valid',
    'Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3',
  ],
];

const filterCalls = { cloud: 0, native: 0 };
for (const [Filter, key] of [[CloudApiExceptionFilter, 'cloud'], [NativeExceptionFilter, 'native']] as const) {
  const original = Filter.prototype.catch;
  Filter.prototype.catch = function (this: unknown, ...args: Parameters<typeof original>) {
    filterCalls[key]++;
    return original.apply(this as never, args);
  };
}

/**
 * The Meta Cloud API facade over raw HTTP: exact success and error bodies, routing next to the
 * native API, auth, media, phone numbers, mark-read, templates (sandbox engine).
 */
describe('Cloud API facade (raw HTTP)', () => {
  let t: TestApp;
  let files: FileServer;
  let fx: MediaFixtures;
  let main: { id: string; mobid: string };
  const MAIN_PHONE = '15550100000';

  before(async () => {
    fx = await mediaFixtures();
    files = await serveFiles({ 'photo.png': fx.png, 'doc.pdf': fx.pdf });
    t = await startTestApp({
      env: { ...FAST_QUEUE_ENV, MEDIA_URL_ALLOWLIST: '127.0.0.1', BODY_LIMIT: '64kb', CLOUD_API_RATE_LIMIT: '30' },
    });
    main = await linkedSandboxSession(t, MAIN_PHONE);
  });
  after(async () => {
    await t?.destroy();
    await files?.close();
  });

  /** A body exactly as given, to `/v21.0/{phone}/messages`. */
  const post = (body: object, token?: string | null, phoneId = main.id) => api(t, token).post(`/v21.0/${phoneId}/messages`).send(body);
  /** A send to 16505551234, with messaging_product; `body` adds or overrides fields. */
  const send = (body: Record<string, unknown>, phoneId = main.id, version = 'v21.0') =>
    api(t).post(`${version ? `/${version}` : ''}/${phoneId}/messages`).send({ messaging_product: 'whatsapp', to: '16505551234', ...body });
  /** The text the sandbox sent for `res` (a text message, or a message rendered as one). */
  const sentText = async (res: { body: { messages: { id: string }[] } }) => {
    const sent = await sentFor(res);
    assert.ok(sent.content.kind === 'text', `sent a ${sent.content.kind}`);
    return sent.content.text;
  };
  /** A template under /api/templates: global, or `sessionId`'s own. */
  const defineTemplate = (name: string, language: string, components: object[], sessionId?: string) =>
    api(t).post('/api/templates').send({ name, language, components, ...(sessionId ? { sessionId } : {}) }).expect(201);
  /** What the sandbox sent for a send the facade answered with `res`. */
  const sentFor = (res: { body: { messages: { id: string }[] } }, phoneId = main.id) => sentByWamid(t, phoneId, res.body.messages[0].id);

  // ---------------------------------------------------------------- sending

  it('answers a text send with Meta\'s exact body; the wamid decodes to the queued WhatsApp id', async () => {
    const res = await send({ recipient_type: 'individual', to: '+1 650-555-1234', type: 'text', text: { body: 'Hello from the facade', preview_url: false } }).expect(200);
    assert.match(res.headers['content-type'], /^application\/json; charset=utf-8$/i);
    const id = res.body.messages[0].id;
    assert.deepEqual(res.body, { messaging_product: 'whatsapp', contacts: [{ input: '+1 650-555-1234', wa_id: '16505551234' }], messages: [{ id }] });
    assert.equal(JSON.stringify(Object.keys(res.body)), '["messaging_product","contacts","messages"]');
    const key = decodeWamid(id)!;
    assert.deepEqual({ chat: key.chatJid, fromMe: key.fromMe }, { chat: '16505551234@s.whatsapp.net', fromMe: true });
    const sent = await sentByWamid(t, main.id, id);
    assert.deepEqual(sent.content, { kind: 'text', text: 'Hello from the facade', mentions: undefined });
    const history = await api(t).get(`/api/messages?sessionId=${main.id}`).expect(200);
    assert.ok(history.body.messages.some((m: { waMessageId: string }) => m.waMessageId === key.id), 'the facade send is a native message row');
  });

  it('accepts any version prefix, none, and the session id, mobile number or mobid as phone number id', async () => {
    for (const [version, phoneId] of [['v19.0', main.id], ['', main.id], ['v24.0', MAIN_PHONE], ['v21.0', `+${MAIN_PHONE}`], ['v21.0', main.mobid]]) {
      const res = await send({ text: { body: `via ${version || 'none'} ${phoneId}` } }, encodeURIComponent(phoneId), version).expect(200);
      await sentFor(res);
    }
  });

  it('takes the token from ?access_token= on facade paths only', async () => {
    await api(t, null).post(`/v21.0/${main.id}/messages?access_token=${TEST_API_KEY}`).send({ messaging_product: 'whatsapp', to: '16505551234', text: { body: 'q' } }).expect(200);
    const native = await api(t, null).get(`/api/sessions?access_token=${TEST_API_KEY}`).expect(401);
    assert.equal(native.body.success, false);
  });

  it('sends media by link and by uploaded id, location, contacts, replies and reactions through the native queue', async () => {
    const image = await send({ type: 'image', image: { link: `${files.url}/photo.png`, caption: 'cap' } }).expect(200);
    const img = await sentFor(image);
    assert.equal(img.content.kind, 'image');
    assert.equal(img.content.kind === 'image' && img.content.caption, 'cap');

    const upload = await api(t).post(`/v21.0/${main.id}/media`).field('messaging_product', 'whatsapp').field('type', 'application/pdf').attach('file', fx.pdf, { filename: 'invoice.pdf', contentType: 'application/pdf' }).expect(200);
    const doc = await send({ type: 'document', document: { id: upload.body.id, caption: 'Your invoice', filename: 'inv-42.pdf' } }).expect(200);
    const d = await sentFor(doc);
    assert.ok(d.content.kind === 'document');
    assert.equal(d.content.fileName, 'inv-42.pdf');
    assert.equal(d.content.caption, 'Your invoice');

    const loc = await send({ type: 'location', location: { latitude: '37.44216', longitude: -122.16126, name: 'Philz Coffee', address: '101 Forest Ave' } }).expect(200);
    assert.deepEqual((await sentFor(loc)).content, { kind: 'location', latitude: 37.44216, longitude: -122.16126, name: 'Philz Coffee', address: '101 Forest Ave' });

    const contacts = await send({
      type: 'contacts',
      contacts: [
        { name: { formatted_name: 'John Smith', first_name: 'John' }, phones: [{ phone: '+1 650-555-1234', type: 'WORK', wa_id: '16505551234' }] },
        { name: { formatted_name: 'Jane Roe' }, phones: [{ phone: '+44 7700 900123' }] },
      ],
    }).expect(200);
    const c = await sentFor(contacts);
    assert.ok(c.content.kind === 'contacts');
    assert.equal(c.content.vcards.length, 2);
    assert.match(c.content.vcards[0], /FN:John Smith\nTEL;type=WORK;waid=16505551234:\+1 650-555-1234/);

    const first = await send({ text: { body: 'original' } }).expect(200);
    await sentFor(first);
    const reply = await send({ context: { message_id: first.body.messages[0].id }, text: { body: 'a reply' } }).expect(200);
    const r = await sentFor(reply);
    assert.equal(r.quoted?.id, decodeWamid(first.body.messages[0].id)!.id);
    const reaction = await send({ type: 'reaction', reaction: { message_id: first.body.messages[0].id, emoji: '👍' } }).expect(200);
    const re = await sentFor(reaction);
    assert.ok(re.content.kind === 'reaction');
    assert.equal(re.content.emoji, '👍');
    assert.equal(re.content.target.id, decodeWamid(first.body.messages[0].id)!.id);
  });

  it('delivers interactive buttons as text with numbered options and remembers them with the callback data', async () => {
    const res = await send({
      type: 'interactive',
      biz_opaque_callback_data: 'order-42',
      interactive: {
        type: 'button',
        header: { type: 'text', text: 'Order #42' },
        body: { text: 'Confirm your order?' },
        footer: { text: 'Reply below' },
        action: { buttons: [{ type: 'reply', reply: { id: 'confirm', title: 'Confirm' } }, { type: 'reply', reply: { id: 'cancel', title: 'Cancel' } }] },
      },
    }).expect(200);
    const sent = await sentFor(res);
    assert.deepEqual(sent.content, { kind: 'text', text: '*Order #42*\nConfirm your order?\n\n_Reply below_\n\n1. Confirm\n2. Cancel', mentions: undefined });
    const [row] = await t.dataSource.query(`SELECT biz_opaque_callback_data, reply_options FROM cloud_api_message WHERE wa_message_id = $1`, [sent.id]);
    assert.equal(row.biz_opaque_callback_data, 'order-42');
    assert.deepEqual(row.reply_options.options.map((o: { id: string }) => o.id), ['confirm', 'cancel']);
  });

  it('renders templates defined under /api/templates, answers message_status accepted, and 132001 for unknown ones', async () => {
    await defineTemplate('order_update', 'en_US', [
      { type: 'BODY', text: 'Hi {{1}}, order {{2}} has shipped.' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }] },
    ]);
    const res = await send({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US', policy: 'deterministic' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: 'Alice' }, { type: 'text', text: '#42' }] },
          { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] },
        ],
      },
    }).expect(200);
    assert.deepEqual(Object.keys(res.body.messages[0]), ['id', 'message_status']);
    assert.equal(res.body.messages[0].message_status, 'accepted');
    assert.equal(await sentText(res), 'Hi Alice, order #42 has shipped.\n\n1. Stop promotions');

    const missing = await send({ type: 'template', template: { name: 'order_update', language: { code: 'de' } } }).expect(404);
    assert.deepEqual(missing.body, whatsappError(missing, 132001, 'Template name does not exist in the translation', 'template name (order_update) does not exist in de'));
    const count = await send({ type: 'template', template: { name: 'order_update', language: { code: 'en_US' }, components: [] } }).expect(400);
    assert.equal(count.body.error.code, 132000);
  });

  it("prefers a session's own translation of a template to the global one", async () => {
    await defineTemplate('greeting', 'en', [{ type: 'BODY', text: 'Hello from everyone' }]);
    await defineTemplate('greeting', 'en', [{ type: 'BODY', text: 'Hello from this number' }], main.id);
    const res = await send({ type: 'template', template: { name: 'greeting', language: { code: 'en' } } }).expect(200);
    assert.equal(await sentText(res), 'Hello from this number');
  });

  it('marks an inbound message read (and types) with {"success": true}; an outbound id is refused', async () => {
    const inbound = await receiveText(t, main.id, '16505557777', 'hi there');
    const wamid = encodeWamid({ chatJid: inbound.chatJid, fromMe: false, id: inbound.waMessageId });
    const engine = sandboxOf(t, main.id);
    const presence: unknown[][] = [];
    const original = engine.sendPresence.bind(engine);
    engine.sendPresence = async (...args) => {
      presence.push(args);
      return original(...args);
    };
    const res = await post({ message_id: wamid, messaging_product: 'whatsapp', status: 'read', typing_indicator: { type: 'text' } }).expect(200);
    assert.deepEqual(res.body, { success: true });
    assert.ok(engine.readMarks().some((m) => m.id === inbound.waMessageId && m.chatJid === inbound.chatJid && !m.fromMe));
    assert.deepEqual(presence, [[inbound.chatJid, 'composing']]);

    const out = await send({ text: { body: 'mine' } }).expect(200);
    const refused = await post({ messaging_product: 'whatsapp', status: 'read', message_id: out.body.messages[0].id }).expect(400);
    assert.equal(refused.body.error.code, 100);
  });

  // ---------------------------------------------------------------- errors

  it("pins Meta's error bodies: no token (104), bad token (190), bad recipients (131009, 131021)", async () => {
    const none = await post({ messaging_product: 'whatsapp', to: '1', text: { body: 'x' } }, null).expect(400);
    assert.deepEqual(none.body, graphError(none, 104, 'An access token is required to request this resource.'));
    const bad = await post({}, 'not-a-token').expect(401);
    assert.deepEqual(bad.body, graphError(bad, 190, 'Invalid OAuth access token - Cannot parse access token'));
    assert.equal(bad.headers['www-authenticate'], 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"');
    assert.equal(bad.headers['x-fb-trace-id'], bad.headers['x-request-id']);

    const to = await send({ to: 'not a number', text: { body: 'x' } }).expect(400);
    assert.equal(to.body.error.code, 131009);
    const self = await send({ to: MAIN_PHONE, text: { body: 'x' } }).expect(400);
    assert.equal(self.body.error.code, 131021);
  });

  for (const [what, body, code, title, details] of REFUSED) {
    it(`refuses ${what} with ${code} in Meta's envelope`, async () => {
      const res = await send(body).expect(400);
      assert.deepEqual(res.body, whatsappError(res, code, title, details));
    });
  }

  it('renders errors raised before routing in Meta\'s envelope: malformed JSON and oversize bodies', async () => {
    const broken = await api(t).post(`/v21.0/${main.id}/messages`).set('Content-Type', 'application/json').send('{"messaging_product": "whatsapp", "to":').expect(400);
    assert.equal(broken.body.error.code, 100);
    assert.equal(broken.body.error.type, 'OAuthException');
    assert.equal(broken.body.error.fbtrace_id, broken.headers['x-request-id']);
    assert.ok(broken.body.error.fbtrace_id);
    assert.equal(broken.body.success, undefined);
    const big = await post({ messaging_product: 'whatsapp', to: '1', text: { body: 'x'.repeat(100_000) } }).expect(400);
    assert.equal(big.body.error.code, 100);
    assert.match(big.body.error.error_data.details, /too large/);
    // The native API keeps its own envelope for the same failure.
    const native = await api(t).post('/api/sessions').set('Content-Type', 'application/json').send('{"name":').expect(400);
    assert.equal(native.body.error.code, 'MALFORMED_JSON');
  });

  it('answers unknown ids, unknown paths, other sessions and unlinked sessions like Graph', async () => {
    const unknown = await send({ text: { body: 'x' } }, 'nope_123').expect(400);
    assert.equal(unknown.body.error.type, 'GraphMethodException');
    assert.equal(unknown.body.error.error_subcode, 33);
    assert.match(unknown.body.error.message, /^Unsupported post request\. Object with ID 'nope_123' does not exist/);
    const path = await api(t).get(`/v21.0/${main.id}/unknown_edge`).expect(400);
    assert.deepEqual(path.body, graphError(path, 2500, `Unknown path components: /${main.id}/unknown_edge`));

    const other = await linkedSandboxSession(t, '15550100002');
    const { body: tok } = await api(t).post('/api/auth/tokens').send({ name: 'system user', sessionId: other.id }).expect(201);
    const bound = tok.token as string;
    await post({ messaging_product: 'whatsapp', to: '16505551234', text: { body: 'ok' } }, bound, other.id).expect(200);
    const denied = await post({ messaging_product: 'whatsapp', to: '16505551234', text: { body: 'no' } }, bound).expect(400);
    assert.equal(denied.body.error.error_subcode, 33);
    const list = await api(t, bound).get('/v21.0/any-waba/phone_numbers').expect(200);
    assert.deepEqual(list.body.data.map((n: { id: string }) => n.id), [phoneNumberIdOf(other.id)]);

    const { body: created } = await api(t).post('/api/sessions').send({}).expect(201);
    const unlinked = await send({ text: { body: 'x' } }, created.session.sessionId).expect(400);
    assert.equal(unlinked.body.error.code, 133010);
    assert.equal(unlinked.body.error.message, '(#133010) Account not registered');
  });

  it('throttles a phone number beyond CLOUD_API_RATE_LIMIT with 130429', async () => {
    const busy = await linkedSandboxSession(t, '15550100003');
    // 100 at once against 30 per second: even on a loaded machine they arrive well within 3 s.
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => send({ text: { body: `burst ${i}` } }, busy.id)));
    const limited = results.filter((r) => r.status === 400);
    assert.ok(limited.length >= 1, `${limited.length} throttled`);
    assert.equal(results.filter((r) => r.status === 200).length + limited.length, 100);
    assert.equal(limited[0].body.error.code, 130429);
    assert.equal(limited[0].body.error.message, '(#130429) Rate limit hit');
  });

  it('renders route errors with the controller-scoped Cloud API filter, before the global one', async () => {
    // nestjs/nest#729: older Nest versions ran global filters first; the counters are wrapped
    // around both filters before the app was built (Nest binds `catch` at startup).
    const before = { ...filterCalls };
    const res = await send({ type: 'image' }).expect(400);
    assert.equal(res.body.error.code, 131008);
    assert.deepEqual({ cloud: filterCalls.cloud - before.cloud, native: filterCalls.native - before.native }, { cloud: 1, native: 0 });
  });

  // ---------------------------------------------------------------- routing

  it('never shadows the native API or the docs', async () => {
    const docs = await api(t, null).get('/docs-json').expect(200);
    assert.ok(docs.body.paths['/api/sessions']);
    assert.ok(docs.body.paths['/cloud-api/{phoneNumberId}/messages']);
    await api(t, null).get('/docs/').expect(200);
    await api(t, null).get('/api/health').expect(200);
    const missing = await api(t).get('/api/definitely-not-a-route').expect(404);
    assert.equal(missing.body.error.code, 'ROUTE_NOT_FOUND');
    const missingNoAuth = await api(t, null).get('/api/nothing/here').expect(404);
    assert.equal(missingNoAuth.body.success, false);
    const favicon = await api(t, null).get('/favicon.ico').expect(404);
    assert.equal(favicon.body.success, false);
    const sessions = await api(t).get('/api/sessions').expect(200);
    assert.equal(sessions.body.success, true);
  });

  // ---------------------------------------------------------------- media and numbers

  it('uploads, describes, downloads (Bearer, expiring URL) and deletes media', async () => {
    const up = await api(t).post(`/v21.0/${main.id}/media?messaging_product=whatsapp`).attach('file', fx.png, { filename: 'a.png', contentType: 'image/png' }).expect(200);
    assert.deepEqual(Object.keys(up.body), ['id']);
    assert.match(up.body.id, /^\d{16}$/);
    const info = await api(t).get(`/v21.0/${up.body.id}?phone_number_id=${main.id}`).expect(200);
    assert.deepEqual(Object.keys(info.body), ['url', 'mime_type', 'sha256', 'file_size', 'id', 'messaging_product']);
    assert.equal(info.body.mime_type, 'image/png');
    assert.equal(info.body.sha256, createHash('sha256').update(fx.png).digest('hex'));
    assert.equal(info.body.file_size, fx.png.length);
    assert.equal(info.body.id, up.body.id);
    assert.ok(info.body.url.startsWith(`${t.url}/v21.0/media-download/${up.body.id}?`), info.body.url);
    const path = info.body.url.slice(t.url.length);
    const bytes = await api(t).get(path).buffer(true).expect(200);
    assert.equal(bytes.headers['content-type'], 'image/png');
    assert.ok(Buffer.from(bytes.body).equals(fx.png));
    await api(t, null).get(path).expect(400);
    await api(t).get(path.replace(/hash=[^&]+/, 'hash=forged')).expect(404);
    await api(t).get(path.replace(/ext=\d+/, 'ext=1000')).expect(404);

    const unsupported = await api(t).post(`/v21.0/${main.id}/media`).field('messaging_product', 'whatsapp').attach('file', fx.csv, { filename: 'x.csv', contentType: 'text/csv' }).expect(400);
    assert.equal(unsupported.body.error.code, 100);

    const other = await api(t).get(`/v21.0/${up.body.id}?phone_number_id=15550100002`).expect(400);
    assert.equal(other.body.error.error_subcode, 33);
    assert.deepEqual((await api(t).delete(`/v21.0/${up.body.id}`).expect(200)).body, { success: true });
    const gone = await api(t).get(`/v21.0/${up.body.id}`).expect(400);
    assert.match(gone.body.error.message, /^Unsupported get request\. Object with ID '\d{16}'/);
    const gone2 = await api(t).delete(`/v21.0/${up.body.id}`).expect(400);
    assert.match(gone2.body.error.message, /^Unsupported delete request/);
  });

  it('describes phone numbers (default fields, ?fields=, unknown fields) and lists them', async () => {
    const node = await api(t).get(`/v21.0/${MAIN_PHONE}`).expect(200);
    assert.deepEqual(node.body, {
      verified_name: 'Sandbox',
      code_verification_status: 'VERIFIED',
      display_phone_number: '+1 555 010 0000',
      quality_rating: 'GREEN',
      platform_type: 'CLOUD_API',
      throughput: { level: 'STANDARD' },
      id: phoneNumberIdOf(main.id),
    });
    const some = await api(t).get(`/v21.0/${main.id}?fields=display_phone_number,verified_name,status`).expect(200);
    assert.deepEqual(some.body, { display_phone_number: '+1 555 010 0000', verified_name: 'Sandbox', status: 'CONNECTED', id: phoneNumberIdOf(main.id) });
    const bad = await api(t).get(`/v21.0/${main.id}?fields=colour`).expect(400);
    assert.equal(bad.body.error.message, '(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessPhoneNumber)');
    const list = await api(t).get('/v21.0/102290129340398/phone_numbers').expect(200);
    assert.ok(list.body.data.some((n: { id: string; display_phone_number: string }) => n.id === phoneNumberIdOf(main.id) && n.display_phone_number === '+1 555 010 0000'));
    assert.ok(list.body.paging.cursors.before && list.body.paging.cursors.after);
  });
});
