import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloudApiError } from './cloud-api.errors';
import { planRequest, toVcard } from './cloud-api.mapper';

const base = { messaging_product: 'whatsapp', to: '16505551234' };
const metaCode = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CloudApiError, String(err));
    return { code: err.metaCode, details: err.message };
  }
  assert.fail('expected a CloudApiError');
};

describe('planRequest', () => {
  it('defaults to text, tolerates unknown keys and nulls, keeps preview_url', () => {
    const plan = planRequest({ ...base, recipient_type: 'individual', text: { body: 'hi', preview_url: true }, caption: null, extra: 1 });
    assert.deepEqual(plan, { kind: 'send', to: '16505551234', recipientType: 'individual', contextMessageId: undefined, bizOpaqueCallbackData: undefined, content: { type: 'text', text: 'hi' } });
  });

  it('uses Meta codes for missing and bad parameters', () => {
    assert.deepEqual(metaCode(() => planRequest({ to: '1', text: { body: 'x' } })), { code: 100, details: 'The parameter messaging_product is required.' });
    assert.equal(metaCode(() => planRequest({ messaging_product: 'sms', to: '1' })).code, 100);
    assert.deepEqual(metaCode(() => planRequest({ messaging_product: 'whatsapp', text: { body: 'x' } })), { code: 100, details: 'The parameter to is required.' });
    assert.deepEqual(metaCode(() => planRequest({ ...base, type: 'text', text: {} })), { code: 131008, details: "The parameter text['body'] is required." });
    assert.deepEqual(metaCode(() => planRequest({ ...base, type: 'image' })), { code: 131008, details: 'The parameter image is required.' });
    assert.equal(metaCode(() => planRequest({ ...base, type: 'image', image: {} })).code, 131008);
    assert.equal(metaCode(() => planRequest({ ...base, type: 'image', image: { id: '1', link: 'https://x/y' } })).code, 131009);
    assert.equal(metaCode(() => planRequest({ ...base, type: 'hologram', hologram: {} })).code, 100);
    assert.equal(metaCode(() => planRequest({ ...base, type: 'order', order: {} })).code, 131051);
    assert.equal(metaCode(() => planRequest({ ...base, text: { body: 'x'.repeat(4097) } })).code, 131009);
    assert.equal(metaCode(() => planRequest({ ...base, type: 'location', location: { latitude: 'north', longitude: 1 } })).code, 131009);
    assert.equal(metaCode(() => planRequest({ messaging_product: 'whatsapp', recipient: 'US.13491208655302741918', text: { body: 'x' } })).code, 131009);
  });

  it('plans media by link or id; audio with voice:true is a voice note; captions only where Meta allows', () => {
    const img = planRequest({ ...base, type: 'image', image: { link: 'https://e.x/a.png', caption: 'cap' } });
    assert.deepEqual(img.kind === 'send' && img.content, { type: 'image', media: { link: 'https://e.x/a.png' }, caption: 'cap' });
    const doc = planRequest({ ...base, type: 'document', document: { id: '1037543291543636', caption: 'c', filename: 'f.pdf' } });
    assert.deepEqual(doc.kind === 'send' && doc.content, { type: 'document', media: { id: '1037543291543636' }, caption: 'c', filename: 'f.pdf' });
    const voice = planRequest({ ...base, type: 'audio', audio: { id: '1037543291543636', voice: true, caption: 'ignored' } });
    assert.deepEqual(voice.kind === 'send' && voice.content, { type: 'voice', media: { id: '1037543291543636' } });
  });

  it('accepts string coordinates, context, callback data and mark-read bodies in any key order', () => {
    const loc = planRequest({ ...base, type: 'location', location: { latitude: '37.44', longitude: '-122.16', name: 'N' }, context: { message_id: 'wamid.X' }, biz_opaque_callback_data: 'order-42' });
    assert.ok(loc.kind === 'send');
    assert.deepEqual(loc.content, { type: 'location', latitude: 37.44, longitude: -122.16, name: 'N' });
    assert.equal(loc.contextMessageId, 'wamid.X');
    assert.equal(loc.bizOpaqueCallbackData, 'order-42');
    assert.deepEqual(planRequest({ message_id: 'wamid.IN', messaging_product: 'whatsapp', status: 'read', typing_indicator: { type: 'text' } }), {
      kind: 'read',
      messageId: 'wamid.IN',
      typing: true,
    });
    assert.equal(metaCode(() => planRequest({ messaging_product: 'whatsapp', status: 'read' })).code, 100);
  });

  it('renders reply buttons as numbered options and remembers them', () => {
    const plan = planRequest({
      ...base,
      type: 'interactive',
      interactive: {
        action: { buttons: [{ type: 'reply', reply: { id: 'confirm', title: 'Confirm' } }, { type: 'reply', reply: { id: 'cancel', title: 'Cancel' } }] },
        body: { text: 'Confirm your order?' },
        header: { type: 'text', text: 'Order #42' },
        footer: { text: 'Reply below' },
        type: 'button',
      },
    });
    assert.ok(plan.kind === 'send' && plan.content.type === 'rendered');
    assert.equal(plan.content.text, '*Order #42*\nConfirm your order?\n\n_Reply below_\n\n1. Confirm\n2. Cancel');
    assert.deepEqual(plan.content.replyOptions, { kind: 'button', options: [{ n: 1, id: 'confirm', title: 'Confirm' }, { n: 2, id: 'cancel', title: 'Cancel' }] });
    const four = { type: 'button', body: { text: 'x' }, action: { buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `b${i}`, title: `B${i}` } })) } };
    assert.deepEqual(metaCode(() => planRequest({ ...base, type: 'interactive', interactive: four })), {
      code: 131009,
      details: 'Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3',
    });
  });

  it('renders lists and CTA links; a media header becomes a captioned media message; flows are refused', () => {
    const list = planRequest({
      ...base,
      type: 'interactive',
      interactive: { type: 'list', body: { text: 'Pick a slot' }, action: { button: 'Slots', sections: [{ title: 'Morning', rows: [{ id: 's9', title: '09:00', description: 'early' }, { id: 's10', title: '10:00' }] }] } },
    });
    assert.ok(list.kind === 'send' && list.content.type === 'rendered');
    assert.equal(list.content.text, 'Pick a slot\n\n*Slots*\n_Morning_\n1. 09:00 — early\n2. 10:00');
    assert.equal(list.content.replyOptions?.kind, 'list');
    const cta = planRequest({
      ...base,
      type: 'interactive',
      interactive: { type: 'cta_url', header: { type: 'image', image: { link: 'https://e.x/h.png' } }, body: { text: 'Track your parcel' }, action: { name: 'cta_url', parameters: { display_text: 'Track', url: 'https://example.com/t/42' } } },
    });
    assert.ok(cta.kind === 'send' && cta.content.type === 'rendered');
    assert.equal(cta.content.text, 'Track your parcel\n\nTrack: https://example.com/t/42');
    assert.deepEqual(cta.content.media, { type: 'image', media: { link: 'https://e.x/h.png' }, caption: 'Track your parcel\n\nTrack: https://example.com/t/42' });
    assert.equal(metaCode(() => planRequest({ ...base, type: 'interactive', interactive: { type: 'flow', body: { text: 'x' }, action: {} } })).code, 131051);
  });
});

describe('toVcard', () => {
  it('turns a Cloud API contact into a vCard 3.0 with the WhatsApp id', () => {
    const card = toVcard(
      {
        name: { formatted_name: 'John Smith', first_name: 'John', last_name: 'Smith' },
        phones: [{ phone: '+1 650-555-1234', type: 'WORK', wa_id: '16505551234' }],
        emails: [{ email: 'john@example.com', type: 'WORK' }],
        org: { company: 'Example Inc', title: 'Manager' },
        urls: [{ url: 'https://example.com', type: 'WORK' }],
        birthday: '1990-01-31',
      },
      0,
    );
    assert.equal(
      card,
      [
        'BEGIN:VCARD',
        'VERSION:3.0',
        'N:Smith;John;;;',
        'FN:John Smith',
        'ORG:Example Inc',
        'TITLE:Manager',
        'TEL;type=WORK;waid=16505551234:+1 650-555-1234',
        'EMAIL;type=WORK:john@example.com',
        'URL;type=WORK:https://example.com',
        'BDAY:1990-01-31',
        'END:VCARD',
      ].join('\n'),
    );
  });
});
