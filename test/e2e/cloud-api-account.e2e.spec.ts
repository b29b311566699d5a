import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { phoneNumberIdOf, wabaIdOf } from '../../src/common/utils/graph-ids';
import { api, eventually } from '../support/http';
import { linkedSession } from '../support/factories';
import { CloudWebhookReceiver } from '../support/cloud-webhook-receiver';
import { mediaFixtures } from '../support/media-fixtures';
import { FAST_QUEUE_ENV, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';

const SECRET = 'meta-app-secret-0123456789';
const VERIFY = 'crm-verify-token';

/** Graph's "object does not exist or does not support this operation" (100/33). */
const unsupported = (res: { body: { error: Record<string, unknown> } }, verb: string, id: string) => {
  assert.equal(res.body.error.type, 'GraphMethodException');
  assert.equal(res.body.error.code, 100);
  assert.equal(res.body.error.error_subcode, 33);
  assert.match(String(res.body.error.message), new RegExp(`^Unsupported ${verb} request\\. Object with ID '${id}' does not exist`));
};

/**
 * The Cloud API facade's account side over real HTTP: canonical phone number ids, WABAs (one
 * per workspace), phone number lists with paging, subscribed apps (Cloud API webhooks with
 * Meta's handshake), register/deregister, debug_token, /me, n8n's credential test, form tokens
 * and Meta's errors for unknown paths and methods.
 */
describe('Cloud API facade: account endpoints', () => {
  let t: TestApp;
  let crm: CloudWebhookReceiver;
  let support1: { id: string; mobid: string };
  let support2: { id: string; mobid: string };
  let loose: { id: string; mobid: string };
  const WABA = wabaIdOf('support');

  before(async () => {
    crm = await CloudWebhookReceiver.start(SECRET, VERIFY);
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, WEBHOOK_RETRY_BASE_MS: '30', WEBHOOK_RETRY_MAX_MS: '200' } });
    support1 = await linkedSession(t, '15550400001', { workspace: 'support' });
    support2 = await linkedSession(t, '15550400002', { workspace: 'support' });
    loose = await linkedSession(t, '15550400003');
  });
  after(async () => {
    await t?.destroy();
    await crm?.close();
  });

  it('gives every session a canonical phone number id and WABA id, shown natively and accepted in paths next to every alias', async () => {
    const { body } = await api(t).get(`/api/sessions/${support1.id}`).expect(200);
    assert.equal(body.session.phoneNumberId, phoneNumberIdOf(support1.id));
    assert.match(body.session.phoneNumberId, /^1\d{14}$/);
    assert.equal(body.session.wabaId, WABA);
    const canonical = body.session.phoneNumberId as string;
    for (const ref of [canonical, support1.id, '15550400001', '+1 555-040-0001', support1.mobid]) {
      const node = await api(t).get(`/v21.0/${encodeURIComponent(ref)}?fields=id`).expect(200);
      assert.deepEqual(node.body, { id: canonical }, ref);
    }
    // The native API finds it by the canonical id too.
    assert.equal((await api(t).get(`/api/sessions/${canonical}`).expect(200)).body.session.sessionId, support1.id);
    const sent = await api(t).post(`/v21.0/${canonical}/messages`).send({ messaging_product: 'whatsapp', to: '16505551234', text: { body: 'by canonical id' } }).expect(200);
    assert.match(sent.body.messages[0].id, /^wamid\./);
  });

  it('answers every documented phone number field it can fill, omits the others, and refuses non-Meta fields', async () => {
    const fields = [
      'verified_name', 'display_phone_number', 'quality_rating', 'code_verification_status', 'name_status', 'new_name_status', 'platform_type',
      'throughput', 'messaging_limit_tier', 'health_status', 'status', 'account_mode', 'is_official_business_account', 'is_pin_enabled',
      'last_onboarded_time', 'certificate', 'search_visibility', 'eligibility_for_api_business_global_search', 'is_preverified_number',
      'webhook_configuration', 'conversational_automation',
    ];
    const res = await api(t).get(`/v21.0/${support1.id}?fields=${fields.join(',')}`).expect(200);
    const id = phoneNumberIdOf(support1.id);
    assert.equal(res.body.id, id);
    assert.equal(res.body.display_phone_number, '+1 555 040 0001');
    assert.equal(res.body.status, 'CONNECTED');
    assert.equal(res.body.messaging_limit_tier, 'TIER_UNLIMITED');
    assert.match(res.body.last_onboarded_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    assert.deepEqual(res.body.health_status, {
      can_send_message: 'AVAILABLE',
      entities: [
        { entity_type: 'PHONE_NUMBER', id, can_send_message: 'AVAILABLE' },
        { entity_type: 'WABA', id: WABA, can_send_message: 'AVAILABLE' },
        { entity_type: 'BUSINESS', id: res.body.health_status.entities[2].id, can_send_message: 'AVAILABLE' },
        { entity_type: 'APP', id: res.body.health_status.entities[3].id, can_send_message: 'AVAILABLE' },
      ],
    });
    assert.equal(res.body.certificate, undefined, 'a field a linked device cannot fill is left out');
    assert.equal(res.body.webhook_configuration, undefined);
    const bad = await api(t).get(`/v21.0/${support1.id}?fields=verified_name,colour`).expect(400);
    assert.equal(bad.body.error.code, 100);
    assert.equal(bad.body.error.message, '(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessPhoneNumber)');
  });

  it('answers GET /{waba} with its fields, and unknown WABAs like Graph', async () => {
    const waba = await api(t).get(`/v21.0/${WABA}`).expect(200);
    assert.deepEqual(Object.keys(waba.body), ['id', 'name', 'currency', 'timezone_id', 'message_template_namespace']);
    assert.equal(waba.body.id, WABA);
    assert.equal(waba.body.name, 'support');
    assert.equal(waba.body.currency, 'USD');
    assert.match(waba.body.message_template_namespace, /^[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}$/);
    const again = await api(t).get(`/${WABA}?fields=message_template_namespace`).expect(200);
    assert.deepEqual(again.body, { message_template_namespace: waba.body.message_template_namespace, id: WABA }, 'stable, unversioned path too');
    const bad = await api(t).get(`/v21.0/${WABA}?fields=colour`).expect(400);
    assert.match(bad.body.error.message, /on node type \(WhatsAppBusinessAccount\)/);
    unsupported(await api(t).get(`/v21.0/${wabaIdOf('nobody')}`).expect(400), 'get', wabaIdOf('nobody'));
    // A token bound to a session of another workspace does not see this WABA.
    const { body: tok } = await api(t).post('/api/auth/tokens').send({ name: 'loose', sessionId: loose.id }).expect(201);
    unsupported(await api(t, tok.token).get(`/v21.0/${WABA}`).expect(400), 'get', WABA);
    assert.equal((await api(t, tok.token).get(`/v21.0/${wabaIdOf(null)}`).expect(200)).body.id, wabaIdOf(null));
  });

  it("lists a WABA's phone numbers with fields, limit and cursor paging in Meta's shape", async () => {
    const all = await api(t).get(`/v21.0/${WABA}/phone_numbers?fields=id,display_phone_number`).expect(200);
    assert.deepEqual(
      all.body.data.map((n: { id: string }) => n.id).sort(),
      [phoneNumberIdOf(support1.id), phoneNumberIdOf(support2.id)].sort(),
      'only the sessions of that workspace',
    );
    assert.deepEqual(Object.keys(all.body.data[0]), ['id', 'display_phone_number']);
    const first = await api(t).get(`/v21.0/${WABA}/phone_numbers?limit=1`).expect(200);
    assert.equal(first.body.data.length, 1);
    assert.ok(first.body.paging.cursors.before && first.body.paging.cursors.after);
    const next = new URL(first.body.paging.next);
    assert.equal(next.pathname, `/v21.0/${WABA}/phone_numbers`);
    const second = await api(t).get(`${next.pathname}${next.search}`).expect(200);
    assert.equal(second.body.data.length, 1);
    assert.notEqual(second.body.data[0].id, first.body.data[0].id);
    assert.equal(second.body.paging.next, undefined);
    const back = await api(t).get(`/v21.0/${WABA}/phone_numbers?limit=1&before=${second.body.paging.cursors.before}`).expect(200);
    assert.equal(back.body.data[0].id, first.body.data[0].id);
    const badLimit = await api(t).get(`/v21.0/${WABA}/phone_numbers?limit=-1`).expect(400);
    assert.equal(badLimit.body.error.code, 100);
  });

  it('subscribes a callback to the WABA after the hub.challenge handshake, lists it, delivers Meta webhooks and unsubscribes', async () => {
    assert.deepEqual((await api(t).get(`/v21.0/${WABA}/subscribed_apps`).expect(200)).body, { data: [] });
    const wrong = await api(t).post(`/v21.0/${WABA}/subscribed_apps`).send({ override_callback_uri: crm.url, verify_token: 'not-it' }).expect(400);
    assert.equal(wrong.body.error.code, 100);
    assert.match(wrong.body.error.error_data.details, /verification handshake/);
    const noToken = await api(t).post(`/v21.0/${WABA}/subscribed_apps`).send({ override_callback_uri: crm.url }).expect(400);
    assert.match(noToken.body.error.error_data.details, /verify_token/);

    const ok = await api(t).post(`/v21.0/${WABA}/subscribed_apps`).send({ override_callback_uri: crm.url, verify_token: VERIFY, app_secret: SECRET }).expect(200);
    assert.deepEqual(ok.body, { success: true });
    const handshake = crm.handshakes[crm.handshakes.length - 1];
    assert.equal(handshake['hub.mode'], 'subscribe');
    assert.equal(handshake['hub.verify_token'], VERIFY);
    const listed = await api(t).get(`/v21.0/${WABA}/subscribed_apps`).expect(200);
    assert.equal(listed.body.data.length, 1);
    assert.equal(listed.body.data[0].override_callback_uri, crm.url);
    assert.deepEqual(Object.keys(listed.body.data[0].whatsapp_business_api_data), ['id', 'link', 'name']);
    assert.match(listed.body.data[0].whatsapp_business_api_data.id, /^\d{15}$/);

    // Subscribing again replaces, never duplicates.
    await api(t).post(`/v21.0/${WABA}/subscribed_apps`).send({ override_callback_uri: crm.url, verify_token: VERIFY, app_secret: SECRET }).expect(200);
    const hooks = (await api(t).get('/api/webhooks').expect(200)).body.webhooks as { sessionId: string; format: string }[];
    assert.deepEqual(hooks.map((h) => h.sessionId).sort(), [support1.id, support2.id].sort());
    assert.ok(hooks.every((h) => h.format === 'cloud-api'));

    await api(t).post(`/api/sessions/${support2.id}/sandbox/inbound`).send({ from: '16505557777', text: 'hello WABA' }).expect(202);
    const got = await eventually(async () => crm.messages.find((m) => m.message.text?.body === 'hello WABA'), 10_000);
    assert.equal(got.phoneID, phoneNumberIdOf(support2.id), 'signed with app_secret: whatsapp-api-js accepted it');
    const post = crm.accepted.find((p) => p.raw.includes('hello WABA'))!;
    assert.equal(post.body.entry[0].id, WABA);
    assert.deepEqual(post.body.entry[0].changes[0].value.metadata, { display_phone_number: '15550400002', phone_number_id: phoneNumberIdOf(support2.id) });

    assert.deepEqual((await api(t).delete(`/v21.0/${WABA}/subscribed_apps`).expect(200)).body, { success: true });
    assert.deepEqual((await api(t).get(`/v21.0/${WABA}/subscribed_apps`).expect(200)).body, { data: [] });
    assert.equal((await api(t).get('/api/webhooks').expect(200)).body.webhooks.length, 0);
  });

  it('registers (starts) and deregisters (stops, still linked) a phone number, validating like Meta', async () => {
    const path = (edge: string) => `/v21.0/${phoneNumberIdOf(loose.id)}/${edge}`;
    const noProduct = await api(t).post(path('register')).send({ pin: '123456' }).expect(400);
    assert.equal(noProduct.body.error.code, 100);
    assert.match(noProduct.body.error.error_data.details, /messaging_product is required/);
    const noPin = await api(t).post(path('register')).send({ messaging_product: 'whatsapp' }).expect(400);
    assert.match(noPin.body.error.error_data.details, /pin is required/);
    const shortPin = await api(t).post(path('register')).send({ messaging_product: 'whatsapp', pin: '12345' }).expect(400);
    assert.match(shortPin.body.error.error_data.details, /6 characters/);

    assert.deepEqual((await api(t).post(path('deregister')).send({ messaging_product: 'whatsapp' }).expect(200)).body, { success: true });
    const stopped = (await api(t).get(`/api/sessions/${loose.id}`).expect(200)).body.session;
    assert.equal(stopped.status, 'INACTIVE');
    assert.equal(stopped.mobile_number, '15550400003', 'still linked');
    assert.equal((await api(t).get(`${path('').slice(0, -1)}?fields=status`).expect(200)).body.status, 'DISCONNECTED');

    assert.deepEqual((await api(t).post(path('register')).send({ messaging_product: 'whatsapp', pin: '123456' }).expect(200)).body, { success: true });
    await eventually(async () => (await api(t).get(`/api/sessions/${loose.id}`).expect(200)).body.session.status === 'READY', 10_000);
  });

  it("reads and updates the business profile in Meta's shape (sandbox): about, picture by uploaded media id, Meta's checks", async () => {
    const path = `/v21.0/${phoneNumberIdOf(support2.id)}/whatsapp_business_profile`;
    const initial = await api(t).get(path).expect(200);
    assert.deepEqual(initial.body, { data: [{ about: 'Hey there! I am using WhatsApp.', messaging_product: 'whatsapp' }] });
    const { png } = await mediaFixtures();
    const up = await api(t).post(`/v21.0/${phoneNumberIdOf(support2.id)}/media`).field('messaging_product', 'whatsapp').attach('file', png, { filename: 'logo.png', contentType: 'image/png' }).expect(200);
    await api(t).post(path).send({ messaging_product: 'whatsapp', about: 'Support desk', profile_picture_handle: up.body.id, vertical: 'RETAIL' }).expect(200);
    const after = await api(t).get(`${path}?fields=about,profile_picture_url,websites`).expect(200);
    assert.equal(after.body.data[0].about, 'Support desk');
    assert.match(after.body.data[0].profile_picture_url, /^https:\/\//);
    assert.equal(after.body.data[0].websites, undefined, 'a personal account has no websites');
    assert.equal(after.body.data[0].messaging_product, 'whatsapp');

    const checks: [Record<string, unknown>, RegExp][] = [
      [{ about: 'x' }, /messaging_product is required/],
      [{ messaging_product: 'whatsapp', about: 'x'.repeat(140) }, /about must be 1 to 139/],
      [{ messaging_product: 'whatsapp', websites: ['https://a.example', 'https://b.example', 'https://c.example'] }, /at most 2/],
      [{ messaging_product: 'whatsapp', vertical: 'SPACESHIPS' }, /vertical must be one of/],
      [{ messaging_product: 'whatsapp', profile_picture_handle: '9999999999999999' }, /does not exist/],
      [{ messaging_product: 'whatsapp', email: 'shop@example.com' }, /WhatsApp Business account only/],
    ];
    for (const [body, details] of checks) {
      const res = await api(t).post(path).send(body).expect(400);
      assert.equal(res.body.error.code, 100, JSON.stringify(body));
      assert.match(res.body.error.error_data.details, details);
    }
    const bad = await api(t).get(`${path}?fields=about,colour`).expect(400);
    assert.match(bad.body.error.message, /WhatsAppBusinessProfile/);
  });

  it("inspects tokens with debug_token in Meta's shape: admin, bound with expiry, invalid", async () => {
    const admin = await api(t).get(`/v21.0/debug_token?input_token=${TEST_API_KEY}`).expect(200);
    assert.equal(admin.body.data.is_valid, true);
    assert.equal(admin.body.data.expires_at, 0);
    assert.deepEqual(admin.body.data.scopes, ['whatsapp_business_management', 'whatsapp_business_messaging']);
    const mgmt = admin.body.data.granular_scopes.find((g: { scope: string }) => g.scope === 'whatsapp_business_management');
    assert.ok(mgmt.target_ids.includes(WABA) && mgmt.target_ids.includes(wabaIdOf(null)));
    for (const key of ['app_id', 'type', 'application', 'data_access_expires_at', 'user_id']) assert.ok(key in admin.body.data, key);

    const { body: tok } = await api(t).post('/api/auth/tokens').send({ name: 'support only', sessionId: support1.id, expiresIn: '3600' }).expect(201);
    const bound = await api(t).get(`/debug_token?input_token=${encodeURIComponent(tok.token)}`).expect(200);
    assert.equal(bound.body.data.is_valid, true);
    assert.ok(Math.abs(bound.body.data.expires_at - (Date.now() / 1000 + 3600)) < 120, 'expires in an hour');
    for (const g of bound.body.data.granular_scopes) assert.deepEqual(g.target_ids, [WABA]);

    const { body: ws } = await api(t).post('/api/auth/tokens').send({ name: 'support desk', workspace: 'support' }).expect(201);
    const wsInfo = await api(t).get(`/v21.0/debug_token?input_token=${encodeURIComponent(ws.token)}`).expect(200);
    assert.deepEqual(wsInfo.body.data.granular_scopes.map((g: { target_ids: string[] }) => g.target_ids), [[WABA], [WABA]]);
    assert.equal(wsInfo.body.data.expires_at, 0);
    // A revoked token is no longer valid.
    await api(t).delete(`/api/auth/tokens/${tok.id}`).expect((r) => assert.ok(r.status < 300, JSON.stringify(r.body)));
    const revoked = await api(t).get(`/v21.0/debug_token?input_token=${encodeURIComponent(tok.token)}`).expect(200);
    assert.equal(revoked.body.data.is_valid, false);

    const invalid = await api(t).get('/v21.0/debug_token?input_token=nope').expect(200);
    assert.deepEqual(invalid.body, { data: { error: { code: 190, message: 'Invalid OAuth access token.' }, is_valid: false, scopes: [] } });
    const missing = await api(t).get('/v21.0/debug_token').expect(400);
    assert.equal(missing.body.error.code, 100);
  });

  it("answers /me and n8n's WhatsApp credential test (GET /v13.0/) as Graph does", async () => {
    const me = await api(t).get('/v21.0/me').expect(200);
    assert.deepEqual(Object.keys(me.body), ['name', 'id']);
    assert.match(me.body.id, /^\d{15}$/);
    // n8n: GET https://graph.facebook.com/v13.0/ with the Bearer token; the credential fails when error.type is OAuthException.
    const valid = await api(t).get('/v13.0/').expect(400);
    assert.equal(valid.body.error.type, 'GraphMethodException');
    assert.equal(valid.body.error.code, 100);
    const invalid = await api(t, 'not-a-token').get('/v13.0/').expect(401);
    assert.equal(invalid.body.error.type, 'OAuthException');
    assert.equal(invalid.body.error.code, 190);
  });

  it('takes access_token as a form field, urlencoded or multipart, never as data', async () => {
    const form = await api(t, null)
      .post(`/v21.0/${phoneNumberIdOf(support1.id)}/messages`)
      .type('form')
      .send({ access_token: TEST_API_KEY, messaging_product: 'whatsapp', to: '16505551234', type: 'text', text: JSON.stringify({ body: 'form token' }) })
      .expect(200);
    assert.match(form.body.messages[0].id, /^wamid\./);
    const upload = await api(t, null)
      .post(`/v21.0/${phoneNumberIdOf(support1.id)}/media`)
      .field('access_token', TEST_API_KEY)
      .field('messaging_product', 'whatsapp')
      .field('type', 'text/plain')
      .attach('file', Buffer.from('hello'), { filename: 'a.txt', contentType: 'text/plain' })
      .expect(200);
    assert.match(upload.body.id, /^\d{16}$/);
    const none = await api(t, null).post(`/v21.0/${WABA}/subscribed_apps`).type('form').send({ verify_token: 'x' }).expect(400);
    assert.equal(none.body.error.code, 104);
  });

  it("answers unknown paths and methods with Meta's envelope, never a native 404", async () => {
    const id = phoneNumberIdOf(support1.id);
    const edge = await api(t).get(`/v21.0/${id}/unknown_edge`).expect(400);
    assert.equal(edge.body.error.code, 2500);
    assert.equal(edge.body.error.message, `Unknown path components: /${id}/unknown_edge`);
    unsupported(await api(t).post(`/v21.0/${id}`).send({}).expect(400), 'post', id);
    unsupported(await api(t).raw.put(`/v21.0/${id}/messages`).set('Authorization', `Bearer ${TEST_API_KEY}`).send({}).expect(400), 'put', id);
    unsupported(await api(t).delete(`/v21.0/${id}/register`).expect(400), 'delete', id);
    const deep = await api(t).get(`/v21.0/${id}/a/b`).expect(400);
    assert.equal(deep.body.error.code, 2500);
    assert.equal(deep.body.success, undefined);
  });
});
