import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRequest, toVcard } from './cloud-api.mapper';
import { parseCloudApiRequest } from './cloud-api-request.validation';

const base = { messaging_product: 'whatsapp', to: '16505551234' };
/** The plan of a raw body, as the route makes it: validated first, then mapped. */
const plan = (body: Record<string, unknown>) => planRequest(parseCloudApiRequest(body));

describe('planRequest', () => {
  it('defaults to text, tolerates unknown keys and nulls, keeps preview_url', () => {
    const planned = plan({ ...base, recipient_type: 'individual', text: { body: 'hi', preview_url: true }, caption: null, extra: 1 });
    assert.deepEqual(planned, { kind: 'send', to: '16505551234', recipientType: 'individual', contextMessageId: undefined, bizOpaqueCallbackData: undefined, content: { type: 'text', text: 'hi' } });
  });

  it('plans media by link or id; audio with voice:true is a voice note; captions only where Meta allows', () => {
    const img = plan({ ...base, type: 'image', image: { link: 'https://e.x/a.png', caption: 'cap' } });
    assert.deepEqual(img.kind === 'send' && img.content, { type: 'image', media: { link: 'https://e.x/a.png' }, caption: 'cap' });
    const doc = plan({ ...base, type: 'document', document: { id: '1037543291543636', caption: 'c', filename: 'f.pdf' } });
    assert.deepEqual(doc.kind === 'send' && doc.content, { type: 'document', media: { id: '1037543291543636' }, caption: 'c', filename: 'f.pdf' });
    const voice = plan({ ...base, type: 'audio', audio: { id: '1037543291543636', voice: true, caption: 'ignored' } });
    assert.deepEqual(voice.kind === 'send' && voice.content, { type: 'voice', media: { id: '1037543291543636' } });
  });

  it('accepts string coordinates, context, callback data and mark-read bodies in any key order', () => {
    const loc = plan({ ...base, type: 'location', location: { latitude: '37.44', longitude: '-122.16', name: 'N' }, context: { message_id: 'wamid.X' }, biz_opaque_callback_data: 'order-42' });
    assert.ok(loc.kind === 'send');
    assert.deepEqual(loc.content, { type: 'location', latitude: 37.44, longitude: -122.16, name: 'N' });
    assert.equal(loc.contextMessageId, 'wamid.X');
    assert.equal(loc.bizOpaqueCallbackData, 'order-42');
    assert.deepEqual(plan({ message_id: 'wamid.IN', messaging_product: 'whatsapp', status: 'read', typing_indicator: { type: 'text' } }), {
      kind: 'read',
      messageId: 'wamid.IN',
      typing: true,
    });
    assert.deepEqual(plan({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN' }), { kind: 'read', messageId: 'wamid.IN', typing: false });
  });

  it('renders reply buttons as numbered options and remembers them', () => {
    const planned = plan({
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
    assert.ok(planned.kind === 'send' && planned.content.type === 'rendered');
    assert.equal(planned.content.text, '*Order #42*\nConfirm your order?\n\n_Reply below_\n\n1. Confirm\n2. Cancel');
    assert.deepEqual(planned.content.replyOptions, { kind: 'button', options: [{ n: 1, id: 'confirm', title: 'Confirm' }, { n: 2, id: 'cancel', title: 'Cancel' }] });
  });

  it('renders lists and CTA links; a media header becomes a captioned media message', () => {
    const list = plan({
      ...base,
      type: 'interactive',
      interactive: { type: 'list', body: { text: 'Pick a slot' }, action: { button: 'Slots', sections: [{ title: 'Morning', rows: [{ id: 's9', title: '09:00', description: 'early' }, { id: 's10', title: '10:00' }] }] } },
    });
    assert.ok(list.kind === 'send' && list.content.type === 'rendered');
    assert.equal(list.content.text, 'Pick a slot\n\n*Slots*\n_Morning_\n1. 09:00 — early\n2. 10:00');
    assert.equal(list.content.replyOptions?.kind, 'list');
    const cta = plan({
      ...base,
      type: 'interactive',
      interactive: { type: 'cta_url', header: { type: 'image', image: { link: 'https://e.x/h.png' } }, body: { text: 'Track your parcel' }, action: { name: 'cta_url', parameters: { display_text: 'Track', url: 'https://example.com/t/42' } } },
    });
    assert.ok(cta.kind === 'send' && cta.content.type === 'rendered');
    assert.equal(cta.content.text, 'Track your parcel\n\nTrack: https://example.com/t/42');
    assert.deepEqual(cta.content.media, { type: 'image', media: { link: 'https://e.x/h.png' }, caption: 'Track your parcel\n\nTrack: https://example.com/t/42' });
  });
});

describe('toVcard', () => {
  it('turns a Cloud API contact into a vCard 3.0 with the WhatsApp id', () => {
    const card = toVcard({
        name: { formatted_name: 'John Smith', first_name: 'John', last_name: 'Smith' },
        phones: [{ phone: '+1 650-555-1234', type: 'WORK', wa_id: '16505551234' }],
        emails: [{ email: 'john@example.com', type: 'WORK' }],
        org: { company: 'Example Inc', title: 'Manager' },
        urls: [{ url: 'https://example.com', type: 'WORK' }],
        birthday: '1990-01-31',
    });
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

  it('takes the phone from wa_id when only that is given, and the WhatsApp id from the phone otherwise', () => {
    const card = toVcard({ name: { formatted_name: 'Ann' }, phones: [{ wa_id: '447700900123' }, { phone: '+1 (650) 555-0000' }, {}], emails: [{ email: 'a@e.x' }] });
    assert.equal(
      card,
      ['BEGIN:VCARD', 'VERSION:3.0', 'N:;;;;', 'FN:Ann', 'TEL;type=CELL;waid=447700900123:+447700900123', 'TEL;type=CELL;waid=16505550000:+1 (650) 555-0000', 'EMAIL;type=INTERNET:a@e.x', 'END:VCARD'].join('\n'),
    );
  });
});
