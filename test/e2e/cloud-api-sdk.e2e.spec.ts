import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { WhatsAppAPI } from 'whatsapp-api-js';
import {
  ActionButtons,
  ActionCTA,
  ActionFlow,
  ActionList,
  ActionLocation,
  Audio,
  Body,
  BodyComponent,
  BodyParameter,
  Button,
  Contacts,
  Currency,
  Document,
  Email,
  Footer,
  Header,
  HeaderComponent,
  HeaderParameter,
  Image,
  Interactive,
  Language,
  ListSection,
  Location,
  Name,
  Organization,
  PayloadComponent,
  Phone,
  Reaction,
  Row,
  Sticker,
  Template,
  Text,
  URLComponent,
  Video,
} from 'whatsapp-api-js/messages';
import sharp from 'sharp';
import { decodeWamid, encodeWamid } from '../../src/cloud-api/wamid';
import type { OutgoingMessage } from '../../src/whatsapp/engine/outgoing-message';
import { api } from '../support/http';
import { linkedSandboxSession, receiveText, sandboxOf, sentByWamid } from '../support/cloud-api';
import { mediaFixtures, serveFiles, type FileServer, type MediaFixtures } from '../support/media-fixtures';
import { FAST_QUEUE_ENV, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';

/**
 * The facade driven by the real `whatsapp-api-js` SDK (its base URL is hard-coded to
 * graph.facebook.com, so every call is redirected through its `ponyfill.fetch` option).
 */
describe('Cloud API facade with whatsapp-api-js', () => {
  let t: TestApp;
  let files: FileServer;
  let fx: MediaFixtures;
  let wa: WhatsAppAPI;
  let phoneId: string;
  const TO = '16505551234';
  const requests: { method: string; url: string }[] = [];

  before(async () => {
    fx = await mediaFixtures();
    files = await serveFiles({ 'photo.png': fx.png, 'clip.mp4': fx.mp4, 'doc.pdf': fx.pdf, 'tone.mp3': fx.mp3 });
    t = await startTestApp({
      env: { ...FAST_QUEUE_ENV, MEDIA_URL_ALLOWLIST: '127.0.0.1' },
    });
    phoneId = (await linkedSandboxSession(t, '15550200000')).id;
    const redirect = (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      requests.push({ method: init?.method ?? 'GET', url });
      return fetch(url.replace(/^https:\/\/graph\.facebook\.com/, t.url), init);
    };
    wa = new WhatsAppAPI({ token: TEST_API_KEY, appSecret: 'app-secret', webhookVerifyToken: 'vt', v: 'v21.0', ponyfill: { fetch: redirect as typeof fetch } });
  });
  after(async () => {
    await t?.destroy();
    await files?.close();
  });

  /** Sends with the SDK, checks Meta's response shape, returns what the sandbox sent. */
  async function sendAndGet(message: Parameters<WhatsAppAPI['sendMessage']>[2], context?: string, biz?: string) {
    const res = (await wa.sendMessage(phoneId, TO, message, context, biz)) as unknown as { messaging_product: string; contacts: unknown[]; messages: { id: string }[]; error?: unknown };
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    assert.equal(res.messaging_product, 'whatsapp');
    assert.deepEqual(res.contacts, [{ input: TO, wa_id: TO }]);
    return { wamid: res.messages[0].id, sent: await sentByWamid(t, phoneId, res.messages[0].id), response: res };
  }

  it('sends text (with preview_url) through /v21.0/{phone}/messages', async () => {
    const { sent } = await sendAndGet(new Text('Hello https://example.com', true));
    assert.deepEqual(sent.content, { kind: 'text', text: 'Hello https://example.com', mentions: undefined });
    assert.ok(requests.some((r) => r.method === 'POST' && r.url === `https://graph.facebook.com/v21.0/${phoneId}/messages`));
  });

  it('sends image, video, audio, voice, document and sticker by link', async () => {
    const byLink = [
      ['image', new Image(`${files.url}/photo.png`, false, 'A photo')],
      ['video', new Video(`${files.url}/clip.mp4`, false, 'A clip')],
      ['audio', new Audio(`${files.url}/tone.mp3`)],
      ['voice', new Audio(`${files.url}/tone.mp3`, false, true)],
      ['document', new Document(`${files.url}/doc.pdf`, false, 'Invoice', 'invoice-42.pdf')],
      ['sticker', new Sticker(`${files.url}/photo.png`)],
    ] as const;
    const sent: Record<string, OutgoingMessage['content']> = {};
    for (const [kind, message] of byLink) {
      sent[kind] = (await sendAndGet(message)).sent.content;
      assert.equal(sent[kind].kind, kind);
    }
    assert.ok(sent.image.kind === 'image' && sent.image.caption === 'A photo');
    assert.ok(sent.voice.kind === 'voice' && sent.voice.media.mimetype === 'audio/ogg; codecs=opus');
    assert.ok(sent.document.kind === 'document' && sent.document.fileName === 'invoice-42.pdf');
  });

  it('uploads media, sends it by id, retrieves, downloads and deletes it', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(fx.png)], { type: 'image/png' }), 'a.png');
    const uploaded = (await wa.uploadMedia(phoneId, form)) as { id: string };
    assert.match(uploaded.id, /^\d{16}$/);
    assert.ok(requests.some((r) => r.url === `https://graph.facebook.com/v21.0/${phoneId}/media?messaging_product=whatsapp`));

    const { sent } = await sendAndGet(new Image(uploaded.id, true, 'by id'));
    assert.ok(sent.content.kind === 'image');
    const meta = await sharp(sent.content.media.path).metadata();
    assert.equal(meta.format, 'jpeg');

    const info = (await wa.retrieveMedia(uploaded.id, phoneId)) as unknown as { url: string; mime_type: string; file_size: number; id: string; messaging_product: string };
    assert.equal(info.mime_type, 'image/png');
    assert.equal(info.file_size, fx.png.length);
    assert.equal(info.messaging_product, 'whatsapp');
    const download = await wa.fetchMedia(info.url);
    assert.equal(download.status, 200);
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(fx.png));

    assert.deepEqual(await wa.deleteMedia(uploaded.id), { success: true });
    const gone = (await wa.retrieveMedia(uploaded.id)) as unknown as { error: { code: number; error_subcode: number } };
    assert.equal(gone.error.code, 100);
    assert.equal(gone.error.error_subcode, 33);
  });

  it('sends location (the SDK takes longitude first), contacts, replies with context and reactions', async () => {
    const loc = await sendAndGet(new Location(-122.16126, 37.44216, 'Philz Coffee', '101 Forest Ave'));
    assert.deepEqual(loc.sent.content, { kind: 'location', latitude: 37.44216, longitude: -122.16126, name: 'Philz Coffee', address: '101 Forest Ave' });

    const contacts = await sendAndGet(
      new Contacts(
        [new Name('John Smith', 'John', 'Smith'), new Phone('+1 650-555-1234', 'WORK', '16505551234'), new Email('john@example.com', 'WORK'), new Organization('Example Inc')],
        [new Name('Jane Roe'), new Phone('+44 7700 900123')],
      ),
    );
    assert.ok(contacts.sent.content.kind === 'contacts');
    assert.equal(contacts.sent.content.vcards.length, 2);
    assert.match(contacts.sent.content.vcards[0], /EMAIL;type=WORK:john@example\.com/);

    const original = await sendAndGet(new Text('original'));
    const reply = await sendAndGet(new Text('the reply'), original.wamid, 'tracking-7');
    assert.equal(reply.sent.quoted?.id, decodeWamid(original.wamid)!.id);
    const [row] = await t.dataSource.query(`SELECT biz_opaque_callback_data FROM cloud_api_message WHERE wa_message_id = $1`, [reply.sent.id]);
    assert.equal(row.biz_opaque_callback_data, 'tracking-7');

    const reaction = await sendAndGet(new Reaction(original.wamid, '👍'));
    assert.ok(reaction.sent.content.kind === 'reaction' && reaction.sent.content.emoji === '👍');
    const unreact = await sendAndGet(new Reaction(original.wamid));
    assert.ok(unreact.sent.content.kind === 'reaction' && unreact.sent.content.emoji === '');
  });

  it('delivers interactive buttons, lists, CTA links, location requests and flows as text', async () => {
    const rendered: [Interactive, string][] = [
      [new Interactive(new ActionButtons(new Button('b1', 'Yes'), new Button('b2', 'No')), new Body('Pick one'), new Header('Question'), new Footer('Thanks')), '*Question*\nPick one\n\n_Thanks_\n\n1. Yes\n2. No'],
      [new Interactive(new ActionList('Menu', new ListSection('Drinks', new Row('r1', 'Coffee', 'Hot'), new Row('r2', 'Tea'))), new Body('What would you like?')), 'What would you like?\n\n*Menu*\n_Drinks_\n1. Coffee — Hot\n2. Tea'],
      [new Interactive(new ActionCTA('Open', 'https://example.com/x'), new Body('Go'), new Header('Parcel')), '*Parcel*\nGo\n\nOpen: https://example.com/x'],
      [new Interactive(new ActionLocation(), new Body('Where should we deliver?')), 'Where should we deliver?'],
      // A flow has nothing a linked device can open: its body (and footer) arrive as text.
      [
        new Interactive(
          new ActionFlow({ flow_message_version: '3', flow_token: 't', flow_id: '1', flow_cta: 'Go', flow_action: 'navigate', flow_action_payload: { screen: 'START' } } as never),
          new Body('Book a table'),
          undefined,
          new Footer('Takes a minute'),
        ),
        'Book a table\n\n_Takes a minute_',
      ],
    ];
    for (const [message, text] of rendered) {
      const { sent } = await sendAndGet(message);
      assert.deepEqual(sent.content, { kind: 'text', text, mentions: undefined });
    }
  });

  it('sends templates defined under /api/templates, with header, body, currency, quick reply and URL parameters', async () => {
    await api(t)
      .post('/api/templates')
      .send({
        name: 'hello_world',
        language: 'en_US',
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'Hi {{1}}' },
          { type: 'BODY', text: 'Your total is {{1}}.' },
          { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop' }, { type: 'URL', text: 'Pay', url: 'https://example.com/pay/{{1}}' }] },
        ],
      })
      .expect(201);
    const { sent, response } = await sendAndGet(
      new Template(
        'hello_world',
        new Language('en_US'),
        new HeaderComponent(new HeaderParameter('Bob')),
        new BodyComponent(new BodyParameter(new Currency(10990, 'USD', '$10.99'))),
        new PayloadComponent('STOP'),
        new URLComponent('inv-42'),
      ),
    );
    assert.equal(response.messages[0] && (response.messages[0] as { message_status?: string }).message_status, 'accepted');
    assert.ok(sent.content.kind === 'text');
    assert.equal(sent.content.text, '*Hi Bob*\nYour total is $10.99.\n\n1. Stop\nPay: https://example.com/pay/inv-42');

    const unknown = (await wa.sendMessage(phoneId, TO, new Template('nope', new Language('en_US')))) as unknown as { error: { code: number } };
    assert.equal(unknown.error.code, 132001);
  });

  it('marks a received message read, with and without the typing indicator', async () => {
    const inbound = await receiveText(t, phoneId, '16505558888', 'hello business');
    const wamid = encodeWamid({ chatJid: inbound.chatJid, fromMe: false, id: inbound.waMessageId });
    assert.deepEqual(await wa.markAsRead(phoneId, wamid), { success: true });
    assert.deepEqual(await wa.markAsRead(phoneId, wamid, 'text'), { success: true });
    const marks = sandboxOf(t, phoneId).readMarks().filter((m) => m.id === inbound.waMessageId);
    assert.equal(marks.length, 2);
  });
});
