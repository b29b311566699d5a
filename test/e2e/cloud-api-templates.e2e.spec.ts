import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { wabaIdOf } from '../../src/common/utils/graph-ids';
import { api } from '../support/http';
import { sentByWamid } from '../support/cloud-api';
import { createToken, linkedSession } from '../support/factories';
import { mediaFixtures, serveFiles, type FileServer } from '../support/media-fixtures';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';

/**
 * Template management through Graph (`/{waba-id}/message_templates`) as CRMs use it: Chatwoot's
 * inbox check and template sync (token in the query, following `paging.next` as given), n8n's
 * template dropdown (`fields=name,language`, then `after`), creation in Meta's shape, deletion
 * by name and by hsm_id; and a template created this way sent as `type: "template"` by a
 * session of the workspace, rendered by the sandbox engine, and listed in /api/templates.
 */
describe('Cloud API message templates (Graph)', () => {
  let t: TestApp;
  let files: FileServer;
  let shop: { id: string };
  let other: { id: string };
  const SHOP_WABA = wabaIdOf('shop');
  const OTHER_WABA = wabaIdOf('other');

  before(async () => {
    files = await serveFiles({ 'header.png': (await mediaFixtures()).png });
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, MEDIA_URL_ALLOWLIST: '127.0.0.1' } });
    shop = await linkedSession(t, '15550100001');
    other = await linkedSession(t, '15550100002');
    await api(t).patch(`/api/sessions/${shop.id}/settings`).send({ workspace: 'shop' }).expect(200);
    await api(t).patch(`/api/sessions/${other.id}/settings`).send({ workspace: 'other' }).expect(200);
  });
  after(async () => {
    await t?.destroy();
    await files?.close();
  });

  const ORDER_UPDATE = {
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#42'] } },
      { type: 'BODY', text: 'Hi {{1}}, your order {{2}} ships on {{3}} for {{4}}.', example: { body_text: [['Alice', '#42', 'May 1', '$10']] } },
      { type: 'FOOTER', text: 'Reply STOP to opt out' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Stop promotions' },
          { type: 'URL', text: 'Track', url: 'https://example.com/t/{{1}}', example: ['https://example.com/t/42'] },
          { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+15550100000' },
        ],
      },
    ],
  };

  it('creates a template in Meta\'s shape, APPROVED at once, and refuses the same name and language with 100/2388024', async () => {
    const res = await api(t).post(`/v21.0/${SHOP_WABA}/message_templates`).send(ORDER_UPDATE).expect(200);
    assert.match(res.body.id, /^3\d{14}$/);
    assert.deepEqual(res.body, { id: res.body.id, status: 'APPROVED', category: 'UTILITY' });

    const again = await api(t).post(`/v21.0/${SHOP_WABA}/message_templates`).send(ORDER_UPDATE).expect(400);
    assert.equal(again.body.error.code, 100);
    assert.equal(again.body.error.error_subcode, 2388024);
    assert.match(again.body.error.error_data.details, /already exists/);

    // Another language of the same name is another template.
    await api(t).post(`/v21.0/${SHOP_WABA}/message_templates`).send({ ...ORDER_UPDATE, language: 'de' }).expect(200);
  });

  it('validates like Graph: name, language, category, components', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...ORDER_UPDATE, name: 'Order-Update' }, /lowercase letters, digits and underscores/],
      [{ ...ORDER_UPDATE, name: undefined }, /The parameter name is required/],
      [{ ...ORDER_UPDATE, language: 'english' }, /language code/],
      [{ ...ORDER_UPDATE, category: 'PROMO' }, /category must be one of \{MARKETING, UTILITY, AUTHENTICATION\}/],
      [{ ...ORDER_UPDATE, components: [] }, /components is required/],
      [{ ...ORDER_UPDATE, name: 'x1', components: [{ type: 'FOOTER', text: 'f' }] }, /needs a BODY/],
      [{ ...ORDER_UPDATE, name: 'x2', parameter_format: 'NAMED' }, /parameter_format is NAMED/],
    ];
    for (const [body, details] of bad) {
      const res = await api(t).post(`/v21.0/${SHOP_WABA}/message_templates`).send(body).expect(400);
      assert.equal(res.body.error.code, 100, JSON.stringify(body));
      assert.match(res.body.error.error_data.details, details);
    }
  });

  it('answers Chatwoot\'s credential check and template sync: token in the query, paging.next followed as given', async () => {
    for (let i = 0; i < 3; i++) {
      await api(t).post(`/v14.0/${SHOP_WABA}/message_templates`).send({ name: `sync_${i}`, language: 'en', category: 'MARKETING', components: [{ type: 'BODY', text: `Sync ${i}` }] }).expect(200);
    }
    const token = await createToken(t, { name: 'chatwoot', sessionId: shop.id });
    // validate_provider_config?: a 2xx is enough.
    await api(t, null).get(`/v14.0/${SHOP_WABA}/message_templates?access_token=${token}`).expect(200);
    // sync_templates with a small page to exercise paging.
    let url: string | undefined = `/v14.0/${SHOP_WABA}/message_templates?access_token=${token}&limit=2`;
    const seen: Record<string, unknown>[] = [];
    let pages = 0;
    while (url) {
      const res: { body: { data: Record<string, unknown>[]; paging: { cursors: Record<string, string>; next?: string } } } = await api(t, null).get(url.replace(/^https?:\/\/[^/]+/, '')).expect(200);
      pages++;
      seen.push(...res.body.data);
      assert.ok(res.body.paging.cursors.before && res.body.paging.cursors.after);
      url = res.body.paging.next;
      if (url) assert.match(url, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/v14\\.0/${SHOP_WABA}/message_templates\\?.*access_token=`));
    }
    assert.equal(pages, 3);
    const names = seen.map((d) => `${d.name}|${d.language}`).sort();
    assert.deepEqual(names, ['order_update|de', 'order_update|en_US', 'sync_0|en', 'sync_1|en', 'sync_2|en']);
    const order = seen.find((d) => d.name === 'order_update' && d.language === 'en_US')!;
    assert.deepEqual(Object.keys(order).sort(), ['category', 'components', 'id', 'language', 'name', 'parameter_format', 'status']);
    assert.equal(order.parameter_format, 'POSITIONAL');
    assert.deepEqual((order.components as { type: string; example?: unknown }[])[1].example, { body_text: [['Alice', '#42', 'May 1', '$10']] });
  });

  it('answers n8n\'s template dropdown: fields=name,language then after=', async () => {
    const first = await api(t).get(`/v13.0/${SHOP_WABA}/message_templates`).query({ fields: 'name,language', limit: 3 }).expect(200);
    assert.equal(first.body.data.length, 3);
    for (const d of first.body.data) assert.deepEqual(Object.keys(d).sort(), ['id', 'language', 'name']);
    const second = await api(t).get(`/v13.0/${SHOP_WABA}/message_templates`).query({ fields: 'name,language', after: first.body.paging.cursors.after, limit: 3 }).expect(200);
    assert.equal(second.body.data.length, 2);
    assert.equal(second.body.paging.next, undefined);
    const all = [...first.body.data, ...second.body.data].map((d: { name: string }) => d.name);
    assert.equal(new Set(all).size, 4);
  });

  it('filters by name (part of it), status, category and language; summary counts; unknown fields are Graph errors', async () => {
    const byName = await api(t).get(`/v21.0/${SHOP_WABA}/message_templates?name=sync&summary=total_count`).expect(200);
    assert.deepEqual(byName.body.data.map((d: { name: string }) => d.name).sort(), ['sync_0', 'sync_1', 'sync_2']);
    assert.equal(byName.body.summary.total_count, 3);
    const marketing = await api(t).get(`/v21.0/${SHOP_WABA}/message_templates?category=MARKETING&language=en&status=APPROVED,PAUSED`).expect(200);
    assert.equal(marketing.body.data.length, 3);
    const none = await api(t).get(`/v21.0/${SHOP_WABA}/message_templates?status=REJECTED`).expect(200);
    assert.deepEqual(none.body.data, []);
    const field = await api(t).get(`/v21.0/${SHOP_WABA}/message_templates?fields=name,colour`).expect(400);
    assert.equal(field.body.error.code, 100);
    assert.match(field.body.error.message, /nonexisting field \(colour\)/);
  });

  it("keeps each account's templates apart: another workspace's WABA does not list them, and a token of another workspace cannot see the WABA", async () => {
    const otherList = await api(t).get(`/v21.0/${OTHER_WABA}/message_templates`).expect(200);
    assert.deepEqual(otherList.body.data, []);
    const otherToken = await createToken(t, { name: 'other', sessionId: other.id });
    const denied = await api(t, otherToken).get(`/v21.0/${SHOP_WABA}/message_templates`).expect(400);
    assert.equal(denied.body.error.code, 100);
    assert.equal(denied.body.error.error_subcode, 33);
    const unknown = await api(t).get('/v21.0/299999999999999/message_templates').expect(400);
    assert.equal(unknown.body.error.error_subcode, 33);
  });

  it('sends a Graph-created template as type template from a session of the workspace, rendered with header, body and button parameters', async () => {
    const res = await api(t)
      .post(`/v21.0/${shop.id}/messages`)
      .send({
        messaging_product: 'whatsapp',
        to: '16505551234',
        type: 'template',
        template: {
          name: 'order_update',
          language: { code: 'en_US', policy: 'deterministic' },
          components: [
            { type: 'header', parameters: [{ type: 'text', text: '#42' }] },
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Alice' },
                { type: 'text', text: '#42' },
                { type: 'date_time', date_time: { fallback_value: 'May 1, 2026' } },
                { type: 'currency', currency: { fallback_value: '$10.99', code: 'USD', amount_1000: 10990 } },
              ],
            },
            { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] },
            { type: 'button', sub_type: 'url', index: 1, parameters: [{ type: 'text', text: '42' }] },
          ],
        },
      })
      .expect(200);
    assert.equal(res.body.messages[0].message_status, 'accepted');
    const sent = await sentByWamid(t, shop.id, res.body.messages[0].id);
    assert.ok(sent.content.kind === 'text');
    assert.equal(
      sent.content.text,
      '*Order #42*\nHi Alice, your order #42 ships on May 1, 2026 for $10.99.\n\n_Reply STOP to opt out_\n\n1. Stop promotions\nTrack: https://example.com/t/42\nCall us: +15550100000',
    );
    // A session of another workspace does not have it.
    const missing = await api(t)
      .post(`/v21.0/${other.id}/messages`)
      .send({ messaging_product: 'whatsapp', to: '16505551234', type: 'template', template: { name: 'order_update', language: { code: 'en_US' } } })
      .expect(404);
    assert.equal(missing.body.error.code, 132001);
  });

  it('creates and sends named-parameter and authentication templates', async () => {
    await api(t)
      .post(`/v21.0/${SHOP_WABA}/message_templates`)
      .send({
        name: 'named_greeting',
        language: 'en',
        category: 'MARKETING',
        parameter_format: 'NAMED',
        components: [
          { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2U='] } },
          { type: 'BODY', text: 'Hello {{first_name}}, {{offer}} awaits.', example: { body_text_named_params: [{ param_name: 'first_name', example: 'Ann' }, { param_name: 'offer', example: '10%' }] } },
          { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'SAVE10' }, { type: 'FLOW', text: 'Book now', flow_id: '123' }] },
        ],
      })
      .expect(200);
    await api(t)
      .post(`/v21.0/${SHOP_WABA}/message_templates`)
      .send({
        name: 'login_code',
        language: 'en_US',
        category: 'AUTHENTICATION',
        components: [
          { type: 'BODY', add_security_recommendation: true },
          { type: 'FOOTER', code_expiration_minutes: 10 },
          { type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: 'Copy code' }] },
        ],
      })
      .expect(200);
    const list = await api(t).get(`/v21.0/${SHOP_WABA}/message_templates?name=named_greeting`).expect(200);
    assert.equal(list.body.data[0].parameter_format, 'NAMED');

    const send = async (template: object) => {
      const res = await api(t).post(`/v21.0/${shop.id}/messages`).send({ messaging_product: 'whatsapp', to: '16505551234', type: 'template', template });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res;
    };
    const named = await send({
      name: 'named_greeting',
      language: { code: 'en' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: `${files.url}/header.png` } }] },
        { type: 'body', parameters: [{ type: 'text', parameter_name: 'offer', text: 'a gift' }, { type: 'text', parameter_name: 'first_name', text: 'Bo' }] },
        { type: 'button', sub_type: 'copy_code', index: 0, parameters: [{ type: 'coupon_code', coupon_code: 'SAVE10' }] },
        { type: 'button', sub_type: 'flow', index: 1, parameters: [{ type: 'action', action: { flow_token: 'tok' } }] },
      ],
    });
    const n = await sentByWamid(t, shop.id, named.body.messages[0].id);
    assert.ok(n.content.kind === 'image');
    assert.equal(n.content.caption, 'Hello Bo, a gift awaits.\n\nCopy offer code: SAVE10\nBook now');

    const otp = await send({
      name: 'login_code',
      language: { code: 'en_US' },
      components: [
        { type: 'body', parameters: [{ type: 'text', text: '123456' }] },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '123456' }] },
      ],
    });
    const o = await sentByWamid(t, shop.id, otp.body.messages[0].id);
    assert.ok(o.content.kind === 'text');
    assert.equal(o.content.text, '*123456* is your verification code. For your security, do not share this code.\n\n_This code expires in 10 minutes._\n\nCopy code: 123456');
  });

  it('lists Graph-created templates in the native /api/templates with their workspace', async () => {
    const res = await api(t).get('/api/templates?name=order_update').expect(200);
    const mine = res.body.templates.filter((x: { workspace: string | null }) => x.workspace === 'shop');
    assert.deepEqual(mine.map((x: { language: string }) => x.language).sort(), ['de', 'en_US']);
    assert.equal(mine[0].sessionId, null);
    // A token of the session sees them too (they are sendable by it); one of another workspace does not.
    const shopToken = await createToken(t, { name: 'shop-native', sessionId: shop.id });
    const seen = await api(t, shopToken).get('/api/templates?name=order_update').expect(200);
    assert.equal(seen.body.templates.length, 2);
    const otherToken = await createToken(t, { name: 'other-native', sessionId: other.id });
    const hidden = await api(t, otherToken).get('/api/templates?name=order_update').expect(200);
    assert.equal(hidden.body.templates.length, 0);
  });

  it("replays Chatwoot's CSAT template: create, status by name, send with the survey id, delete by name — with a session-bound token", async () => {
    const token = await createToken(t, { name: 'chatwoot-csat', sessionId: shop.id });
    const body = {
      name: 'customer_satisfaction_survey',
      language: 'en',
      category: 'UTILITY',
      components: [
        { type: 'BODY', text: 'How did we do?' },
        { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Please rate us', url: 'https://chat.example.com/survey/responses/{{1}}', example: ['12345'] }] },
      ],
    };
    const created = await api(t, token).post(`/v14.0/${SHOP_WABA}/message_templates`).set('Content-Type', 'application/json').send(JSON.stringify(body)).expect(200);
    const status = await api(t, token).get(`/v14.0/${SHOP_WABA}/message_templates?name=customer_satisfaction_survey`).expect(200);
    assert.deepEqual(
      { id: status.body.data[0].id, name: status.body.data[0].name, status: status.body.data[0].status, language: status.body.data[0].language },
      { id: created.body.id, name: 'customer_satisfaction_survey', status: 'APPROVED', language: 'en' },
    );
    // Stored for the token's session: the native API shows it there.
    const native = await api(t).get('/api/templates?name=customer_satisfaction_survey').expect(200);
    assert.deepEqual(native.body.templates.map((x: { sessionId: string; workspace: string | null }) => [x.sessionId, x.workspace]), [[shop.id, null]]);
    const res = await api(t, token)
      .post(`/v13.0/${shop.id}/messages`)
      .send({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '16505551234',
        type: 'template',
        template: { name: 'customer_satisfaction_survey', language: { policy: 'deterministic', code: 'en' }, components: [{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'abc-123' }] }] },
      })
      .expect(200);
    const sent = await sentByWamid(t, shop.id, res.body.messages[0].id);
    assert.deepEqual(sent.content, { kind: 'text', text: 'How did we do?\n\nPlease rate us: https://chat.example.com/survey/responses/abc-123', mentions: undefined });
    await api(t, token).delete(`/v14.0/${SHOP_WABA}/message_templates?name=customer_satisfaction_survey`).expect(200, { success: true });
    const gone = await api(t, token).get(`/v14.0/${SHOP_WABA}/message_templates?name=customer_satisfaction_survey`).expect(200);
    assert.deepEqual(gone.body.data, []);
  });

  it('takes a form post with components as JSON text; global templates are read-only outside the account of sessions without a workspace', async () => {
    const form = await api(t)
      .post(`/v21.0/${wabaIdOf(null)}/message_templates`)
      .type('form')
      .send({ name: 'global_hello', language: 'en', category: 'utility', components: JSON.stringify([{ type: 'BODY', text: 'Hello {{1}}' }]) })
      .expect(200);
    assert.equal(form.body.category, 'UTILITY');
    // A global template is listed in every account, and sendable by its sessions.
    const listed = await api(t).get(`/v21.0/${SHOP_WABA}/message_templates?name=global_hello`).expect(200);
    assert.equal(listed.body.data[0].id, form.body.id);
    const token = await createToken(t, { name: 'shop-bound', sessionId: shop.id });
    const denied = await api(t, token).delete(`/v21.0/${SHOP_WABA}/message_templates?name=global_hello`).expect(403);
    assert.equal(denied.body.error.code, 10);
    // Not even an admin deletes it through a workspace's account: it belongs to all of them.
    await api(t).delete(`/v21.0/${SHOP_WABA}/message_templates?name=global_hello`).expect(403);
    const native = await api(t).get('/api/templates?name=global_hello').expect(200);
    assert.deepEqual(native.body.templates.map((x: { sessionId: string | null; workspace: string | null }) => [x.sessionId, x.workspace]), [[null, null]]);
  });

  it('a template created natively for a workspace is listed in its account, and a workspace token creates into its own', async () => {
    await api(t).post('/api/templates').send({ name: 'native_ws', language: 'en', workspace: 'shop', components: [{ type: 'BODY', text: 'Native' }] }).expect(201);
    await api(t).post('/api/templates').send({ name: 'native_ws', language: 'en', workspace: 'shop', sessionId: shop.id, components: [{ type: 'BODY', text: 'x' }] }).expect(400);
    const listed = await api(t).get(`/v21.0/${SHOP_WABA}/message_templates?name=native_ws`).expect(200);
    assert.equal(listed.body.data.length, 1);
    const wsToken = await createToken(t, { name: 'other-ws', workspace: 'other' });
    const own = await api(t, wsToken).post('/api/templates').send({ name: 'native_other', language: 'en', components: [{ type: 'BODY', text: 'Other' }] }).expect(201);
    assert.equal(own.body.template.workspace, 'other');
    await api(t, wsToken).post('/api/templates').send({ name: 'native_steal', language: 'en', workspace: 'shop', components: [{ type: 'BODY', text: 'x' }] }).expect(403);
    const otherList = await api(t, wsToken).get(`/v21.0/${OTHER_WABA}/message_templates?name=native_`).expect(200);
    assert.deepEqual(otherList.body.data.map((d: { name: string }) => d.name), ['native_other']);
  });

  it('deletes one language by hsm_id with its name, then every language by name; an unknown name is a Graph error', async () => {
    const before = await api(t).get(`/v21.0/${SHOP_WABA}/message_templates?name=order_update`).expect(200);
    const de = before.body.data.find((d: { language: string }) => d.language === 'de');
    await api(t).delete(`/v21.0/${SHOP_WABA}/message_templates`).query({ name: 'order_update', hsm_id: de.id }).expect(200, { success: true });
    const middle = await api(t).get(`/v21.0/${SHOP_WABA}/message_templates?name=order_update`).expect(200);
    assert.deepEqual(middle.body.data.map((d: { language: string }) => d.language), ['en_US']);
    await api(t).delete(`/v21.0/${SHOP_WABA}/message_templates?name=order_update`).expect(200, { success: true });
    const afterDelete = await api(t).get(`/v21.0/${SHOP_WABA}/message_templates?name=order_update`).expect(200);
    assert.deepEqual(afterDelete.body.data, []);
    const again = await api(t).delete(`/v21.0/${SHOP_WABA}/message_templates?name=order_update`).expect(400);
    assert.equal(again.body.error.code, 100);
    const noName = await api(t).delete(`/v21.0/${SHOP_WABA}/message_templates`).expect(400);
    assert.match(noName.body.error.error_data.details, /name is required/);
  });
});
