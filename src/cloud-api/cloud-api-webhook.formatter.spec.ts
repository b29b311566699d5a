import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { phoneNumberIdOf, wabaIdOf } from '../common/utils/graph-ids';
import { businessUserIdOf } from './business-user-id';
import type { CloudApiSendMemory } from './cloud-api-send-memory';
import { asciiJson, CloudApiWebhookFormatter, metaFailureCode } from './cloud-api-webhook.formatter';
import { decodeWamid } from './wamid';

const memory = {
  numberOf: () => '15550100000',
  workspaceOf: () => 'acme',
  callbackDataOf: (_s: string, id: string) => (id === 'W1' ? 'order-42' : undefined),
  replyOptionsIn: () => ({ waMessageId: 'T1', replyOptions: { kind: 'template', options: [{ n: 1, id: 'STOP', title: 'Stop promotions' }] } }),
} as unknown as CloudApiSendMemory;
const formatter = new CloudApiWebhookFormatter(memory, 1000);
const envelope = (event: 'message.received' | 'message.status', data: Record<string, unknown>) => ({
  id: 'evt_1',
  event,
  sessionId: 'qr_1_abc',
  createdAt: '2026-01-01T00:00:00.000Z',
  data,
});
const valueOf = (body: string) => JSON.parse(body).entry[0].changes[0].value;

describe('CloudApiWebhookFormatter', () => {
  it('escapes every non-ASCII character, emoji as surrogate pairs', () => {
    assert.equal(asciiJson({ t: 'José ✓ 👍' }), '{"t":"Jos\\u00e9 \\u2713 \\ud83d\\udc4d"}');
  });

  it("addresses the envelope as Meta does: entry id = the workspace's WABA id, the canonical phone number id, digits-only display number", () => {
    const body = JSON.parse(formatter.format(envelope('message.status', { waMessageId: 'W1', chatId: '16505551234@s.whatsapp.net', status: 'SENT', error: null }))[0].body);
    assert.equal(body.object, 'whatsapp_business_account');
    assert.equal(body.entry[0].id, wabaIdOf('acme'));
    assert.match(body.entry[0].id, /^2\d{14}$/);
    assert.deepEqual(body.entry[0].changes[0].value.metadata, { display_phone_number: '15550100000', phone_number_id: phoneNumberIdOf('qr_1_abc') });
    assert.match(body.entry[0].changes[0].value.metadata.phone_number_id, /^1\d{14}$/);
  });

  it('maps statuses: callback data echoed, failures with Meta codes, queue-only states dropped', () => {
    const sent = valueOf(formatter.format(envelope('message.status', { waMessageId: 'W1', chatId: '16505551234@s.whatsapp.net', status: 'SENT', error: null }))[0].body);
    assert.equal(sent.statuses[0].status, 'sent');
    assert.equal(sent.statuses[0].recipient_id, '16505551234');
    assert.equal(sent.statuses[0].biz_opaque_callback_data, 'order-42');
    assert.equal(sent.statuses[0].timestamp, '1767225600');
    assert.deepEqual(decodeWamid(sent.statuses[0].id), { chatJid: '16505551234@s.whatsapp.net', fromMe: true, id: 'W1' });
    const optedOut = valueOf(formatter.format(envelope('message.status', { waMessageId: 'W2', chatId: '1@s.whatsapp.net', status: 'OPTED_OUT', error: { code: 'OPTED_OUT', message: 'no' } }))[0].body);
    assert.equal(optedOut.statuses[0].status, 'failed');
    assert.equal(optedOut.statuses[0].errors[0].code, 131050);
    assert.equal(optedOut.statuses[0].pricing, undefined);
    assert.equal(optedOut.statuses[0].conversation, undefined);
    assert.deepEqual(formatter.format(envelope('message.status', { waMessageId: 'W3', chatId: '1@s.whatsapp.net', status: 'QUEUED', error: null })), []);
  });

  it('turns an answer to a rendered template into the quick-reply button Meta would post', () => {
    const message = { id: '6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a', waMessageId: 'IN1', chat: '16505551234@s.whatsapp.net', from: '16505551234@s.whatsapp.net', type: 'text', createdAt: '2026-01-01T00:00:00.000Z', content: { text: 'Stop promotions', pushName: 'Kerry' } };
    const value = valueOf(formatter.format(envelope('message.received', { message }))[0].body);
    const userId = businessUserIdOf('16505551234@s.whatsapp.net', wabaIdOf('acme'));
    assert.deepEqual(value.contacts, [{ profile: { name: 'Kerry' }, wa_id: '16505551234', user_id: userId }]);
    assert.equal(value.messages[0].from_user_id, userId);
    assert.equal(value.messages[0].type, 'button');
    assert.deepEqual(value.messages[0].button, { payload: 'STOP', text: 'Stop promotions' });
    assert.equal(value.messages[0].context.from, '15550100000');
  });

  it('gives inbound media an id the media endpoints serve, and contacts from vCards', () => {
    const image = { id: '6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a', waMessageId: 'IN2', chat: '1@s.whatsapp.net', from: '1@s.whatsapp.net', type: 'image', createdAt: '2026-01-01T00:00:00.000Z', content: { caption: 'c', media: { mimetype: 'image/jpeg' } } };
    const v = valueOf(formatter.format(envelope('message.received', { message: image }))[0].body);
    // No hash announced (a row stored before hashes were kept): the key is there, empty.
    assert.deepEqual(v.messages[0].image, { caption: 'c', mime_type: 'image/jpeg', sha256: '', id: BigInt('0x6f1c1d4e1b7e4c639a518a8a0e1e2f3a').toString() });
    const card = { ...image, type: 'contact', content: { contact: { displayName: 'Jo', vcards: ['BEGIN:VCARD\nVERSION:3.0\nN:Bloggs;Jo;;;\nFN:Jo Bloggs\nTEL;type=CELL;waid=447700900123:+44 7700 900123\nEND:VCARD'] } } };
    const c = valueOf(formatter.format(envelope('message.received', { message: card }))[0].body);
    assert.deepEqual(c.messages[0].contacts, [{ name: { formatted_name: 'Jo Bloggs', first_name: 'Jo', last_name: 'Bloggs' }, phones: [{ phone: '+44 7700 900123', wa_id: '447700900123', type: 'CELL' }] }]);
  });

  it('puts conversation and pricing on sent and delivered (the expiry on sent only), none on read', () => {
    const status = (st: string, createdAt = '2026-01-01T10:00:00.000Z') =>
      valueOf(formatter.format({ ...envelope('message.status', { waMessageId: 'W9', chatId: '447700900123@s.whatsapp.net', status: st, error: null }), createdAt })[0].body);
    const sent = status('SENT');
    const delivered = status('DELIVERED', '2026-01-01T10:00:05.000Z');
    assert.deepEqual(sent.contacts, [{ wa_id: '447700900123', user_id: businessUserIdOf('447700900123@s.whatsapp.net', wabaIdOf('acme')) }]);
    assert.match(sent.statuses[0].recipient_user_id, /^[A-Z]{2}\.\d{20}$/);
    assert.deepEqual(sent.statuses[0].conversation, { id: sent.statuses[0].conversation.id, expiration_timestamp: '1767312000', origin: { type: 'service' } });
    assert.deepEqual(delivered.statuses[0].conversation, { id: sent.statuses[0].conversation.id, origin: { type: 'service' } });
    assert.deepEqual(delivered.statuses[0].pricing, { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' });
    assert.equal(status('READ').statuses[0].pricing, undefined);
    assert.notEqual(status('SENT', '2026-01-02T10:00:00.000Z').statuses[0].conversation.id, sent.statuses[0].conversation.id, 'a new window the next day');
  });

  it("maps Switchboard's failure reasons to Meta's codes", () => {
    const codes = Object.fromEntries(
      ['RECIPIENT_NOT_ON_WHATSAPP', 'WHATSAPP_ERROR', 'EXPIRED', 'OPTED_OUT', 'MEDIA_TOO_LARGE', 'TTS_TIMEOUT', 'AUDIO_INVALID', 'SESSION_NOT_READY', 'ENGINE_ERROR'].map((c) => [c, metaFailureCode(c)]),
    );
    assert.deepEqual(codes, {
      RECIPIENT_NOT_ON_WHATSAPP: 131026,
      WHATSAPP_ERROR: 131026,
      EXPIRED: 131026,
      OPTED_OUT: 131050,
      MEDIA_TOO_LARGE: 131053,
      TTS_TIMEOUT: 131053,
      AUDIO_INVALID: 131053,
      SESSION_NOT_READY: 131000,
      ENGINE_ERROR: 131000,
    });
    const failed = valueOf(formatter.format(envelope('message.status', { waMessageId: 'W4', chatId: '1@s.whatsapp.net', status: 'FAILED', error: { code: 'MEDIA_FETCH_FAILED', message: 'The media URL answered 404' } }))[0].body);
    assert.deepEqual(failed.statuses[0].errors, [
      { code: 131053, title: 'Media upload error', message: 'Media upload error', error_data: { details: 'The media URL answered 404' }, href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/' },
    ]);
  });

  it('marks forwards in context and gives stickers, voice notes and documents their extra keys', () => {
    const base = { id: '6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a', waMessageId: 'IN3', chat: '16505551234@s.whatsapp.net', from: '16505551234@s.whatsapp.net', createdAt: '2026-01-01T00:00:00.000Z' };
    const msg = (type: string, content: Record<string, unknown>) => valueOf(formatter.format(envelope('message.received', { message: { ...base, type, content } }))[0].body).messages[0];
    assert.deepEqual(msg('text', { text: 'fwd', forwarded: 'forwarded' }).context, { forwarded: true });
    assert.deepEqual(msg('sticker', { media: { mimetype: 'image/webp', animated: true, sha256: 'AAA=' } }).sticker.animated, true);
    assert.deepEqual(msg('voice', { media: { mimetype: 'audio/ogg; codecs=opus', ptt: true, sha256: 'BBB=' } }).audio, { mime_type: 'audio/ogg; codecs=opus', sha256: 'BBB=', id: BigInt('0x6f1c1d4e1b7e4c639a518a8a0e1e2f3a').toString(), voice: true });
    const doc = msg('document', { caption: 'March', fileName: 'invoice.pdf', media: { mimetype: 'application/pdf', sha256: 'CCC=' } }).document;
    assert.deepEqual(Object.keys(doc), ['caption', 'filename', 'mime_type', 'sha256', 'id']);
    const unsupported = msg('other', {});
    assert.deepEqual([unsupported.type, unsupported.errors[0].code, unsupported.unsupported], ['unsupported', 131051, { type: 'unknown' }]);
  });
});
