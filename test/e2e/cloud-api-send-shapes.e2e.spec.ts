import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { businessUserIdOf } from '../../src/cloud-api/business-user-id';
import { wabaIdOf } from '../../src/common/utils/graph-ids';
import type { OutgoingMessage } from '../../src/whatsapp/engine/outgoing-message';
import { api } from '../support/http';
import { sentByWamid } from '../support/cloud-api';
import { createToken, linkedSession } from '../support/factories';
import { mediaFixtures, serveFiles, type FileServer } from '../support/media-fixtures';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';

const TO = '16505551234';

/**
 * The send requests CRMs really make, replayed byte for byte over HTTP (Chatwoot's WhatsApp
 * Cloud provider, n8n's WhatsApp node, Typebot), plus every interactive and template shape
 * Meta documents: each is accepted, and what the sandbox engine sends is the documented
 * degradation (docs/cloud-api.md).
 */
describe('Cloud API send shapes (CRM requests)', () => {
  let t: TestApp;
  let files: FileServer;
  let main: { id: string };

  before(async () => {
    const fx = await mediaFixtures();
    files = await serveFiles({ 'photo.png': fx.png, 'doc.pdf': fx.pdf, 'note.wav': fx.wav });
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, MEDIA_URL_ALLOWLIST: '127.0.0.1', CLOUD_API_RATE_LIMIT: '200' } });
    main = await linkedSession(t, '15550100000');
  });
  after(async () => {
    await t?.destroy();
    await files?.close();
  });

  /** POSTs `body` exactly as given and returns what the sandbox sent for it. */
  const deliver = async (body: object, path = `/v13.0/${main.id}/messages`, token?: string): Promise<{ res: { body: Record<string, any> }; sent: OutgoingMessage }> => {
    const res = await api(t, token).post(path).set('Content-Type', 'application/json').send(JSON.stringify(body));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { res, sent: await sentByWamid(t, main.id, res.body.messages[0].id) };
  };
  const textOf = (sent: OutgoingMessage) => {
    assert.ok(sent.content.kind === 'text', `sent a ${sent.content.kind}`);
    return sent.content.text;
  };
  const captionOf = (sent: OutgoingMessage) => {
    assert.ok(sent.content.kind === 'image' || sent.content.kind === 'video' || sent.content.kind === 'document', `sent a ${sent.content.kind}`);
    return sent.content.caption;
  };

  // ---------------------------------------------------------------- Chatwoot

  describe('Chatwoot (whatsapp_cloud_service.rb)', () => {
    it('send_text_message: context null unless replying', async () => {
      const { sent } = await deliver({ messaging_product: 'whatsapp', context: null, to: TO, text: { body: 'Hello from Chatwoot' }, type: 'text' });
      assert.equal(textOf(sent), 'Hello from Chatwoot');
    });

    it('send_attachment_message: image and document with caption and filename, audio without caption', async () => {
      const image = await deliver({ messaging_product: 'whatsapp', context: null, to: TO, type: 'image', image: { link: `${files.url}/photo.png`, caption: 'A photo' } });
      assert.equal(captionOf(image.sent), 'A photo');
      const doc = await deliver({ messaging_product: 'whatsapp', context: null, to: TO, type: 'document', document: { link: `${files.url}/doc.pdf`, caption: 'Invoice', filename: 'invoice.pdf' } });
      assert.ok(doc.sent.content.kind === 'document' && doc.sent.content.fileName === 'invoice.pdf');
      const audio = await deliver({ messaging_product: 'whatsapp', context: null, to: TO, type: 'audio', audio: { link: `${files.url}/note.wav` } });
      assert.ok(audio.sent.content.kind === 'audio' || audio.sent.content.kind === 'voice');
    });

    it('send_interactive_text_message: button and list payloads with action serialised as a JSON string', async () => {
      const buttons = JSON.stringify({ buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }] });
      const button = await deliver({ messaging_product: 'whatsapp', to: TO, interactive: { type: 'button', body: { text: 'Continue?' }, action: buttons }, type: 'interactive' });
      assert.equal(textOf(button.sent), 'Continue?\n\n1. Yes\n2. No');

      const rows = [1, 2, 3, 4].map((i) => ({ id: `opt${i}`, title: `Option ${i}`, ...(i === 1 ? { description: 'The first' } : {}) }));
      const list = await deliver({
        messaging_product: 'whatsapp',
        to: TO,
        interactive: { type: 'list', body: { text: 'Choose one' }, action: JSON.stringify({ button: 'Choose an item', sections: [{ rows }] }) },
        type: 'interactive',
      });
      assert.equal(textOf(list.sent), 'Choose one\n\n*Choose an item*\n1. Option 1 — The first\n2. Option 2\n3. Option 3\n4. Option 4');
    });

    it('send_template: language with policy, body/header/button components', async () => {
      await api(t)
        .post('/api/templates')
        .send({
          name: 'chatwoot_shipping',
          language: 'en',
          components: [
            { type: 'HEADER', format: 'DOCUMENT' },
            { type: 'BODY', text: 'Hi {{1}}, order {{2}} shipped.' },
            { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://example.com/t/{{1}}' }] },
          ],
        })
        .expect(201);
      const { res, sent } = await deliver({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: TO,
        type: 'template',
        template: {
          name: 'chatwoot_shipping',
          language: { policy: 'deterministic', code: 'en' },
          components: [
            { type: 'body', parameters: [{ type: 'text', text: 'Ann' }, { type: 'text', text: '#7' }] },
            { type: 'header', parameters: [{ type: 'document', document: { link: `${files.url}/doc.pdf`, filename: 'label.pdf' } }] },
            { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: '7' }] },
          ],
        },
      });
      assert.equal(res.body.messages[0].message_status, 'accepted');
      assert.ok(sent.content.kind === 'document');
      assert.equal(sent.content.fileName, 'label.pdf');
      assert.equal(sent.content.caption, 'Hi Ann, order #7 shipped.\n\nTrack: https://example.com/t/7');
    });

    it('recipient_params: a business-scoped user id in recipient reaches the chat it stands for', async () => {
      const bsuid = businessUserIdOf(`${TO}@s.whatsapp.net`, wabaIdOf(null))!;
      const { res, sent } = await deliver({ messaging_product: 'whatsapp', recipient_type: 'individual', recipient: bsuid, type: 'text', text: { body: 'By user id' } });
      assert.deepEqual(res.body.contacts, [{ input: bsuid, user_id: bsuid }]);
      assert.equal(sent.to, `${TO}@s.whatsapp.net`);
      assert.equal(textOf(sent), 'By user id');

      // With `to` as well, `to` routes and both ids are answered.
      const both = await deliver({ messaging_product: 'whatsapp', to: TO, recipient: bsuid, text: { body: 'Both' } });
      assert.deepEqual(both.res.body.contacts, [{ input: TO, wa_id: TO, user_id: bsuid }]);

      // A user id of another account (or made up) is refused, never sent somewhere else.
      const foreign = businessUserIdOf(`${TO}@s.whatsapp.net`, wabaIdOf('elsewhere'))!;
      for (const recipient of [foreign, 'US.13491208655302741918']) {
        const refused = await api(t).post(`/v13.0/${main.id}/messages`).send({ messaging_product: 'whatsapp', recipient, text: { body: 'x' } }).expect(400);
        assert.equal(refused.body.error.code, 131009);
      }
    });
  });

  // ---------------------------------------------------------------- n8n

  describe("n8n's WhatsApp Business Cloud node", () => {
    it('send (text, media by link) and sendAndWait text, with a session-bound token', async () => {
      const token = await createToken(t, { name: 'n8n', sessionId: main.id });
      const text = await deliver({ messaging_product: 'whatsapp', to: TO, type: 'text', text: { body: 'From n8n', preview_url: false } }, `/v13.0/${main.id}/messages`, token);
      assert.equal(textOf(text.sent), 'From n8n');
      const image = await deliver({ messaging_product: 'whatsapp', to: TO, type: 'image', image: { link: `${files.url}/photo.png`, caption: 'n8n image' } }, `/v13.0/${main.id}/messages`, token);
      assert.equal(captionOf(image.sent), 'n8n image');
      const wait = await deliver(
        { messaging_product: 'whatsapp', text: { body: 'Approve?\n\n*Approve:*\n_https://n8n.example/w?approved=true_\n\n' }, type: 'text', to: TO },
        `/v13.0/${main.id}/messages`,
        token,
      );
      assert.match(textOf(wait.sent), /^Approve\?/);
    });

    it('sendTemplate with body currency/date_time, header image and a quick-reply button (index as a string)', async () => {
      await api(t)
        .post('/api/templates')
        .send({
          name: 'n8n_invoice',
          language: 'en_US',
          components: [
            { type: 'HEADER', format: 'IMAGE' },
            { type: 'BODY', text: '{{1}}, you owe {{2}} by {{3}}.' },
            { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Paid' }] },
          ],
        })
        .expect(201);
      const { sent } = await deliver({
        messaging_product: 'whatsapp',
        to: TO,
        type: 'template',
        template: {
          name: 'n8n_invoice',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Ann' },
                { type: 'currency', currency: { code: 'EUR', fallback_value: '€12', amount_1000: 12000 } },
                { type: 'date_time', date_time: { fallback_value: 'Friday' } },
              ],
            },
            { type: 'button', index: '0', sub_type: 'quick_reply', parameters: [{ type: 'payload', payload: 'PAID' }] },
            { type: 'header', parameters: [{ type: 'image', image: { link: `${files.url}/photo.png` } }] },
          ],
        },
      });
      assert.equal(captionOf(sent), 'Ann, you owe €12 by Friday.\n\n1. Paid');
    });
  });

  // ---------------------------------------------------------------- Typebot

  describe('Typebot (sendWhatsAppMessage)', () => {
    it('choice buttons with the "―" body, picture choices with an image header and no body, text with preview', async () => {
      const choice = await deliver({
        messaging_product: 'whatsapp',
        to: TO,
        type: 'interactive',
        interactive: { type: 'button', body: { text: '―' }, action: { buttons: [{ type: 'reply', reply: { id: 'c1', title: 'Small' } }, { type: 'reply', reply: { id: 'c2', title: 'Large' } }] } },
      });
      assert.equal(textOf(choice.sent), '―\n\n1. Small\n2. Large');
      const picture = await deliver({
        messaging_product: 'whatsapp',
        to: TO,
        type: 'interactive',
        interactive: { type: 'button', header: { type: 'image', image: { link: `${files.url}/photo.png` } }, action: { buttons: [{ type: 'reply', reply: { id: 'p1', title: 'Select' } }] } },
      });
      assert.equal(captionOf(picture.sent), '1. Select');
      const text = await deliver({ messaging_product: 'whatsapp', to: TO, type: 'text', text: { body: 'See https://typebot.io', preview_url: true } });
      assert.equal(textOf(text.sent), 'See https://typebot.io');
    });
  });

  // ---------------------------------------------------------------- every documented shape

  describe('every interactive type Meta documents', () => {
    const interactive = (i: object) => deliver({ messaging_product: 'whatsapp', to: TO, type: 'interactive', interactive: i });

    it('button with a document header and a footer: the document, captioned with the text', async () => {
      const doc = await interactive({ type: 'button', header: { type: 'document', document: { link: `${files.url}/doc.pdf` } }, body: { text: 'Read' }, footer: { text: 'Footer' }, action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'A' } }] } });
      assert.equal(captionOf(doc.sent), 'Read\n\n_Footer_\n\n1. A');
    });

    it('product, product_list and catalog_message: degraded to text', async () => {
      const product = await interactive({ type: 'product', body: { text: 'Look at this' }, action: { catalog_id: '123', product_retailer_id: 'SKU-1' } });
      assert.equal(textOf(product.sent), 'Look at this\n\nProduct: SKU-1');
      const productNoBody = await interactive({ type: 'product', action: { catalog_id: '123', product_retailer_id: 'SKU-2' } });
      assert.equal(textOf(productNoBody.sent), 'Product: SKU-2');
      const productList = await interactive({
        type: 'product_list',
        header: { type: 'text', text: 'Menu' },
        body: { text: 'Our picks' },
        action: { catalog_id: '123', sections: [{ title: 'Hot', product_items: [{ product_retailer_id: 'SKU-1' }, { product_retailer_id: 'SKU-2' }] }] },
      });
      assert.equal(textOf(productList.sent), '*Menu*\nOur picks\n\n_Hot_\n• SKU-1\n• SKU-2');
      const catalog = await interactive({ type: 'catalog_message', body: { text: 'Browse our catalog' }, footer: { text: 'Shop' }, action: { name: 'catalog_message', parameters: { thumbnail_product_retailer_id: 'SKU-1' } } });
      assert.equal(textOf(catalog.sent), 'Browse our catalog\n\n_Shop_');
    });

    it('flow, location_request_message, address_message, voice_call and call_permission_request: their text', async () => {
      const shapes: [object, string][] = [
        [{ type: 'flow', header: { type: 'text', text: 'Booking' }, body: { text: 'Book a table' }, action: { name: 'flow', parameters: { flow_message_version: '3', flow_token: 'T', flow_id: '1', flow_cta: 'Book', flow_action: 'navigate', flow_action_payload: { screen: 'START', data: { a: 1 } } } } }, '*Booking*\nBook a table'],
        [{ type: 'location_request_message', body: { text: 'Where are you?' }, action: { name: 'send_location' } }, 'Where are you?'],
        [{ type: 'address_message', body: { text: 'Your address, please' }, action: { name: 'address_message', parameters: { country: 'IN' } } }, 'Your address, please'],
        [{ type: 'voice_call', body: { text: 'Call us now' }, action: { name: 'voice_call', parameters: { display_text: 'Call', ttl_minutes: 100 } } }, 'Call us now'],
        [{ type: 'call_permission_request', body: { text: 'May we call you?' }, action: { name: 'call_permission_request' } }, 'May we call you?'],
      ];
      for (const [shape, expected] of shapes) assert.equal(textOf((await interactive(shape)).sent), expected);
    });

    it('carousel: each card as text, quick replies numbered, links labelled', async () => {
      const { sent } = await interactive({
        type: 'carousel',
        body: { text: 'Our rooms' },
        action: {
          cards: [
            { card_index: 0, type: 'cta_url', header: { type: 'image', image: { link: `${files.url}/photo.png` } }, body: { text: 'Single' }, action: { name: 'cta_url', parameters: { display_text: 'Book', url: 'https://example.com/single' } } },
            { card_index: 1, type: 'button', header: { type: 'image', image: { link: `${files.url}/photo.png` } }, body: { text: 'Double' }, action: { buttons: [{ type: 'quick_reply', quick_reply: { id: 'd', title: 'Want' } }] } },
          ],
        },
      });
      assert.equal(textOf(sent), 'Our rooms\n\n*1.* Single\nBook: https://example.com/single\n\n*2.* Double\n1. Want');
    });

    it('nested objects as JSON text at any level; malformed JSON text is a 100 naming the parameter', async () => {
      const { sent } = await deliver({
        messaging_product: 'whatsapp',
        to: TO,
        type: 'interactive',
        interactive: JSON.stringify({ type: 'cta_url', header: JSON.stringify({ type: 'text', text: 'Parcel' }), body: '{"text":"Track it"}', action: { name: 'cta_url', parameters: '{"display_text":"Track","url":"https://example.com/t"}' } }),
      });
      assert.equal(textOf(sent), '*Parcel*\nTrack it\n\nTrack: https://example.com/t');
      const bad = await api(t)
        .post(`/v13.0/${main.id}/messages`)
        .send({ messaging_product: 'whatsapp', to: TO, type: 'interactive', interactive: { type: 'button', body: { text: 'x' }, action: '{"buttons": [' } })
        .expect(400);
      assert.equal(bad.body.error.code, 100);
      assert.match(bad.body.error.error_data.details, /interactive\['action'\] is a JSON string that does not parse/);
      const location = await deliver({ messaging_product: 'whatsapp', to: TO, type: 'location', location: '{"latitude":37.44,"longitude":-122.16,"name":"Cafe"}' });
      assert.deepEqual(location.sent.content, { kind: 'location', latitude: 37.44, longitude: -122.16, name: 'Cafe' });
    });
  });

  describe('every template component and parameter shape', () => {
    it('header location and text (named), body text/currency/date_time by parameter_name, copy_code, flow and catalog buttons, limited_time_offer', async () => {
      await api(t)
        .post('/api/templates')
        .send({
          name: 'everything',
          language: 'en',
          components: [
            { type: 'HEADER', format: 'LOCATION' },
            { type: 'BODY', text: '{{name}} pays {{amount}} on {{day}}.' },
            {
              type: 'BUTTONS',
              buttons: [
                { type: 'COPY_CODE', example: 'X' },
                { type: 'FLOW', text: 'Open form' },
                { type: 'CATALOG', text: 'View catalog' },
              ],
            },
          ],
        })
        .expect(201);
      const { sent } = await deliver({
        messaging_product: 'whatsapp',
        to: TO,
        type: 'template',
        template: JSON.stringify({
          name: 'everything',
          language: { code: 'en' },
          components: [
            { type: 'header', parameters: [{ type: 'location', location: { latitude: '37.48', longitude: '-122.14', name: 'HQ', address: '1 Way' } }] },
            {
              type: 'body',
              parameters: [
                { type: 'date_time', parameter_name: 'day', date_time: { fallback_value: 'Monday' } },
                { type: 'currency', parameter_name: 'amount', currency: { fallback_value: '$5', code: 'USD', amount_1000: 5000 } },
                { type: 'text', parameter_name: 'name', text: 'Kim' },
              ],
            },
            { type: 'button', sub_type: 'copy_code', index: 0, parameters: [{ type: 'coupon_code', coupon_code: 'SAVE5' }] },
            { type: 'button', sub_type: 'flow', index: '1', parameters: [{ type: 'action', action: { flow_token: 'T' } }] },
            { type: 'button', sub_type: 'catalog', index: 2, parameters: [{ type: 'action', action: { thumbnail_product_retailer_id: 'SKU' } }] },
            { type: 'limited_time_offer', parameters: [{ type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: 1767225600000 } }] },
          ],
        }),
      });
      assert.equal(textOf(sent), '*HQ\n1 Way\nhttps://maps.google.com/?q=37.48,-122.14*\nKim pays $5 on Monday.\n\nCopy offer code: SAVE5\nOpen form\nView catalog');
    });
  });
});
