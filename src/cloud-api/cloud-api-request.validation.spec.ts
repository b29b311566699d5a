import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloudApiError } from './cloud-api.errors';
import { parseCloudApiRequest, parseMediaObject } from './cloud-api-request.validation';

const base = { messaging_product: 'whatsapp', to: '16505551234' };
const interactive = (i: Record<string, unknown>) => ({ ...base, type: 'interactive', interactive: { body: { text: 'b' }, ...i } });
const oneButton = { buttons: [{ reply: { id: 'a', title: 'A' } }] };
const list = (sections: unknown, extra: Record<string, unknown> = {}) => interactive({ type: 'list', action: { button: 'Pick', sections }, ...extra });

/** What Meta answers for `fn`: its code and `error_data.details`. */
function metaErrorOf(fn: () => unknown): [number, string] {
  let thrown: unknown;
  assert.throws(fn, (err) => (thrown = err) instanceof CloudApiError);
  const err = thrown as CloudApiError;
  return [err.metaCode, err.message];
}

/** [body, Meta code, details]: Graph's 100 for the envelope, 131008 missing, 131009 invalid, 131051 undeliverable. */
const REFUSED: [unknown, number, string][] = [
  ['text', 100, 'The request body must be a JSON object'],
  [{ to: '1', text: { body: 'x' } }, 100, 'The parameter messaging_product is required.'],
  [{ messaging_product: '', to: '1' }, 100, 'The parameter messaging_product is required.'],
  [{ messaging_product: 'sms', to: '1' }, 100, 'Param messaging_product must be one of {WHATSAPP} - got "sms".'],
  [{ messaging_product: 'whatsapp', text: { body: 'x' } }, 100, 'The parameter to is required.'],
  [{ ...base, to: '  ', text: { body: 'x' } }, 100, 'The parameter to is required.'],
  [{ ...base, recipient_type: 'bulk', text: { body: 'x' } }, 100, 'Param recipient_type must be one of {INDIVIDUAL, GROUP} - got "bulk".'],
  [{ ...base, type: 'hologram' }, 100, 'Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO} - got "hologram".'],
  [{ ...base, type: 'order', order: {} }, 131051, 'Message type order is not supported.'],
  [{ ...base, type: 'image' }, 131008, 'The parameter image is required.'],
  [{ ...base, context: 5, text: { body: 'x' } }, 131008, "The parameter context['message_id'] is required."],
  [{ ...base, context: {}, text: { body: 'x' } }, 131008, "The parameter context['message_id'] is required."],
  [{ ...base, biz_opaque_callback_data: {}, text: { body: 'x' } }, 100, 'Param biz_opaque_callback_data must be a string.'],
  [{ ...base, biz_opaque_callback_data: 'x'.repeat(513), text: { body: 'x' } }, 100, 'Param biz_opaque_callback_data must be at most 512 characters long.'],
  // mark read
  [{ messaging_product: 'whatsapp', status: 'read' }, 100, 'The parameter message_id is required.'],
  [{ messaging_product: 'whatsapp', status: 'unread', message_id: 'w' }, 100, 'Param status must be one of {READ} - got "unread".'],
  [{ messaging_product: 'whatsapp', status: 'read', message_id: 'w', typing_indicator: { type: 'audio' } }, 100, "Param typing_indicator['type'] must be one of {TEXT}."],
  // text, media, location
  [{ ...base, text: 'hi' }, 131009, 'Param text must be a JSON object.'],
  [{ ...base, text: { preview_url: true } }, 131008, "The parameter text['body'] is required."],
  [{ ...base, text: { body: 'x'.repeat(4097) } }, 131009, "Param text['body'] must be at most 4096 characters long."],
  [{ ...base, type: 'image', image: {} }, 131008, "The parameter image['id'] or image['link'] is required."],
  [{ ...base, type: 'image', image: { id: '1', link: 'https://e.x/a.png' } }, 131009, 'Param image must have either id or link, not both.'],
  [{ ...base, type: 'video', video: { link: 'ftp://e.x/a.mp4' } }, 131009, "Param video['link'] is not a valid URI."],
  [{ ...base, type: 'image', image: { link: 'https://e.x/a.png', caption: 'c'.repeat(1025) } }, 131009, "Param image['caption'] must be at most 1024 characters long."],
  [{ ...base, type: 'location', location: { longitude: 1 } }, 131008, "The parameter location['latitude'] is required."],
  [{ ...base, type: 'location', location: { latitude: 'north', longitude: 1 } }, 131009, "Param location['latitude'] must be a number between -90 and 90."],
  [{ ...base, type: 'location', location: { latitude: 1, longitude: 181 } }, 131009, "Param location['longitude'] must be a number between -180 and 180."],
  // contacts, reaction, template
  [{ ...base, type: 'contacts', contacts: [] }, 131008, 'The parameter contacts is required.'],
  [{ ...base, type: 'contacts', contacts: {} }, 131008, 'The parameter contacts is required.'],
  [{ ...base, type: 'contacts', contacts: Array(258).fill({ name: { formatted_name: 'x' } }) }, 131009, 'Param contacts must have at most 257 contacts.'],
  [{ ...base, type: 'contacts', contacts: [5] }, 131009, 'Param contacts[0] must be an object.'],
  [{ ...base, type: 'contacts', contacts: [{ name: { formatted_name: 'A' } }, { phones: [] }] }, 131008, "The parameter contacts[1]['name']['formatted_name'] is required."],
  [{ ...base, type: 'contacts', contacts: [{ name: 'x' }] }, 131008, "The parameter contacts[0]['name']['formatted_name'] is required."],
  [{ ...base, type: 'reaction', reaction: { emoji: '👍' } }, 131008, "The parameter reaction['message_id'] is required."],
  [{ ...base, type: 'reaction', reaction: { message_id: 'm', emoji: {} } }, 131009, "Param reaction['emoji'] must be a string."],
  [{ ...base, type: 'reaction', reaction: { message_id: 'm', emoji: '👍'.repeat(11) } }, 131009, "Param reaction['emoji'] must be a single emoji."],
  [{ ...base, type: 'template', template: { language: { code: 'en' } } }, 131008, "The parameter template['name'] is required."],
  [{ ...base, type: 'template', template: { name: 'n' } }, 131008, "The parameter template['language']['code'] is required."],
  [{ ...base, type: 'template', template: { name: 'n', language: 'en' } }, 131008, "The parameter template['language']['code'] is required."],
  [{ ...base, type: 'template', template: { name: 'n', language: { code: 'en' }, components: {} } }, 131009, "Param template['components'] must be an array."],
  // interactive
  [{ ...base, type: 'interactive', interactive: {} }, 131008, "The parameter interactive['type'] is required."],
  [interactive({ type: 'poll', action: {} }), 131009, 'Param interactive[\'type\'] must be one of {BUTTON, LIST, CTA_URL, LOCATION_REQUEST_MESSAGE, PRODUCT, PRODUCT_LIST, CATALOG_MESSAGE, FLOW, ADDRESS_MESSAGE, VOICE_CALL, CALL_PERMISSION_REQUEST, CAROUSEL} - got "poll".'],
  [interactive({ type: 'flow', action: {} }), 131008, "The parameter interactive['action']['parameters']['flow_cta'] is required."],
  [interactive({ type: 'flow', action: { parameters: {} } }), 131008, "The parameter interactive['action']['parameters']['flow_cta'] is required."],
  [interactive({ type: 'product', action: { catalog_id: 'c' } }), 131008, "The parameter interactive['action']['product_retailer_id'] is required."],
  [interactive({ type: 'product_list', action: { catalog_id: 'c', sections: [{ title: 'S' }] } }), 131008, "The parameter interactive['action']['sections'][0]['product_items'] is required."],
  [interactive({ type: 'carousel', action: {} }), 131008, "The parameter interactive['action']['cards'] is required."],
  [{ ...base, type: 'interactive', interactive: '{"type":"button",' }, 100, "Param interactive is a JSON string that does not parse; send it as an object or as valid JSON text."],
  [interactive({ type: 'button', action: '{"buttons":[' }), 100, "Param interactive['action'] is a JSON string that does not parse; send it as an object or as valid JSON text."],
  [interactive({ type: 'button' }), 131008, "The parameter interactive['action'] is required."],
  [{ ...base, type: 'interactive', interactive: { type: 'button', action: oneButton } }, 131008, "The parameter interactive['body']['text'] is required."],
  [interactive({ type: 'button', action: oneButton, body: { text: 'b'.repeat(4097) } }), 131009, "Param interactive['body']['text'] must be at most 4096 characters long."],
  [interactive({ type: 'button', action: {} }), 131009, 'Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3'],
  [interactive({ type: 'button', action: { buttons: [1, 2, 3, 4].map((i) => ({ reply: { id: `b${i}`, title: `B${i}` } })) } }), 131009, 'Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3'],
  [interactive({ type: 'button', action: { buttons: [{}] } }), 131008, "The parameter interactive['action']['buttons'][0]['reply']['id'] is required."],
  [interactive({ type: 'button', action: { buttons: [{ reply: { id: 'a' } }] } }), 131008, "The parameter interactive['action']['buttons'][0]['reply']['title'] is required."],
  [interactive({ type: 'button', action: { buttons: [{ reply: { id: 'a', title: 't'.repeat(21) } }] } }), 131009, 'Button title length is too long. Max length allowed: 20'],
  [interactive({ type: 'button', action: { buttons: [{ reply: { id: 'a', title: 'A' } }, { reply: { id: 'a', title: 'B' } }] } }), 131009, 'Button ids must be unique.'],
  [interactive({ type: 'button', action: { buttons: [{ reply: { id: 'a', title: 'A' } }, { reply: { id: 'b', title: 'A' } }] } }), 131009, 'Button titles must be unique.'],
  [interactive({ type: 'button', action: oneButton, header: 'x' }), 131009, "Param interactive['header'] must be an object."],
  [interactive({ type: 'button', action: oneButton, header: { type: 'text' } }), 131008, "The parameter interactive['header']['text'] is required."],
  [interactive({ type: 'button', action: oneButton, header: { type: 'text', text: 'h'.repeat(61) } }), 131009, "Param interactive['header']['text'] must be at most 60 characters long."],
  [interactive({ type: 'button', action: oneButton, header: { type: 'gif' } }), 131009, 'Param interactive[\'header\'][\'type\'] must be one of {TEXT, IMAGE, VIDEO, DOCUMENT} - got "gif".'],
  [interactive({ type: 'button', action: oneButton, header: { type: 'image' } }), 131009, "Param interactive['header']['image'] must be a JSON object."],
  [interactive({ type: 'button', action: oneButton, header: { type: 'image', image: {} } }), 131008, "The parameter interactive['header']['image']['id'] or interactive['header']['image']['link'] is required."],
  [list([], { header: { type: 'image', image: { link: 'https://e.x/a.png' } } }), 131009, 'A list message supports a text header only.'],
  [interactive({ type: 'list', action: { sections: [] } }), 131008, "The parameter interactive['action']['button'] is required."],
  [list([]), 131009, 'Invalid sections count. Min allowed sections: 1, Max allowed sections: 10'],
  [list([{ title: 'S' }]), 131008, "The parameter interactive['action']['sections'][0]['rows'] is required."],
  [list([{ rows: [{ id: 'a', title: 'A' }] }, { rows: [{ id: 'b', title: 'B' }] }]), 131008, "The parameter interactive['action']['sections'][0]['title'] is required."],
  [list([{ rows: [{ title: 'A' }] }]), 131008, "The parameter interactive['action']['sections'][0]['rows'][0]['id'] is required."],
  [list([{ rows: [{ id: 'a' }] }]), 131008, "The parameter interactive['action']['sections'][0]['rows'][0]['title'] is required."],
  [list([{ rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `R${i}` })) }]), 131009, 'Total row count exceed max allowed count: 10'],
  [list([{ rows: [{ id: 'a', title: 'A' }, { id: 'a', title: 'B' }] }]), 131009, 'Row ids must be unique.'],
  [interactive({ type: 'cta_url', action: {} }), 131008, "The parameter interactive['action']['parameters']['display_text'] is required."],
  [interactive({ type: 'cta_url', action: { parameters: { display_text: 'Go' } } }), 131009, "Param interactive['action']['parameters']['url'] is not a valid URI."],
  [interactive({ type: 'cta_url', action: { parameters: { display_text: 'Go', url: 'example.com' } } }), 131009, "Param interactive['action']['parameters']['url'] is not a valid URI."],
];

describe('parseCloudApiRequest', () => {
  for (const [body, code, details] of REFUSED) {
    it(`${code}: ${details}`, () => {
      assert.deepEqual(metaErrorOf(() => parseCloudApiRequest(body)), [code, details]);
    });
  }

  it('tolerates unknown keys and nulls, takes numbers as strings, and defaults the type to text', () => {
    const request = parseCloudApiRequest({ ...base, to: 16505551234, text: { body: 'hi', preview_url: true }, caption: null, recipient_type: null, extra: 1 });
    assert.deepEqual(request, { messaging_product: 'whatsapp', to: '16505551234', type: 'text', text: { body: 'hi', preview_url: true }, extra: 1 });
  });

  it('reads object parameters sent as JSON text, and leaves template components as sent', () => {
    const contacts = parseCloudApiRequest({ ...base, type: 'contacts', contacts: JSON.stringify([{ name: { formatted_name: 'A' }, phones: [{ phone: 123 }] }]) });
    assert.deepEqual('contacts' in contacts && contacts.contacts, [{ name: { formatted_name: 'A' }, phones: [{ phone: '123' }] }]);
    const components = [{ type: 'body', parameters: [{ type: 'text', text: '' }, null] }];
    const template = parseCloudApiRequest({ ...base, type: 'template', template: { name: 'n', language: { code: 'en' }, components } });
    assert.deepEqual('template' in template && template.template.components, components);
  });

  it('reads every nested object sent as JSON text (Chatwoot stringifies interactive.action), but never a text that looks like JSON', () => {
    const action = JSON.stringify({ buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }] });
    const chatwoot = parseCloudApiRequest({ ...base, type: 'interactive', interactive: { type: 'button', body: { text: 'Pick' }, action } });
    assert.deepEqual('interactive' in chatwoot && chatwoot.interactive.action, { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }] });
    const nested = parseCloudApiRequest({
      ...base,
      type: 'interactive',
      context: '{"message_id":"wamid.X"}',
      interactive: JSON.stringify({ type: 'list', header: '{"type":"text","text":"H"}', body: '{"text":"B"}', action: { button: 'Go', sections: ['{"rows":[{"id":"r","title":"R"}]}'] } }),
    });
    assert.ok('interactive' in nested && nested.interactive.type === 'list');
    assert.deepEqual(nested.interactive.action.sections, [{ rows: [{ id: 'r', title: 'R' }] }]);
    assert.deepEqual(nested.interactive.header, { type: 'text', text: 'H' });
    assert.deepEqual(nested.context, { message_id: 'wamid.X' });
    const template = parseCloudApiRequest({
      ...base,
      type: 'template',
      template: { name: 'n', language: '{"code":"en"}', components: JSON.stringify([{ type: 'header', parameters: ['{"type":"image","image":{"link":"https://e.x/a.png"}}'] }]) },
    });
    assert.deepEqual('template' in template && template.template.components, [{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://e.x/a.png' } }] }]);
    const location = parseCloudApiRequest({ ...base, type: 'location', location: '{"latitude":1,"longitude":2}' });
    assert.deepEqual('location' in location && location.location, { latitude: 1, longitude: 2 });
    const text = parseCloudApiRequest({ ...base, text: { body: '{"not":"parsed"}' } });
    assert.deepEqual('text' in text && text.text, { body: '{"not":"parsed"}' });
    const header = parseCloudApiRequest({ ...base, type: 'interactive', interactive: { type: 'button', header: { type: 'text', text: '[1] Order' }, body: { text: '{x}' }, action: { buttons: [{ reply: { id: 'a', title: '[A]' } }] } } });
    assert.ok('interactive' in header && header.interactive.header?.type === 'text' && header.interactive.header.text === '[1] Order');
  });

  it('accepts a business-scoped user id as recipient, with or without to', () => {
    const only = parseCloudApiRequest({ messaging_product: 'whatsapp', recipient: 'US.13491208655302741918', text: { body: 'x' } });
    assert.equal('recipient' in only && only.recipient, 'US.13491208655302741918');
    const both = parseCloudApiRequest({ ...base, recipient: 'US.13491208655302741918', text: { body: 'x' } });
    assert.ok('to' in both && both.to === '16505551234' && both.recipient === 'US.13491208655302741918');
  });

  it('survives hostile nesting and __proto__ keys inside JSON-text parameters', () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    assert.deepEqual(metaErrorOf(() => parseCloudApiRequest({ ...base, type: 'contacts', contacts: deep })), [131009, 'Param contacts[0] must be an object.']);
    const request = parseCloudApiRequest(JSON.parse(`{"messaging_product":"whatsapp","to":"1","text":{"body":"x","__proto__":{"polluted":true}}}`));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual('text' in request && request.text, { body: 'x' });
  });

  it('validates a template header media object under the name the renderer gives it', () => {
    assert.deepEqual(parseMediaObject('image', { link: 'https://e.x/a.png', caption: null }, 'template header image'), { link: 'https://e.x/a.png' });
    assert.deepEqual(metaErrorOf(() => parseMediaObject('image', { link: 'nope' }, 'template header image')), [131009, "Param template header image['link'] is not a valid URI."]);
    assert.deepEqual(metaErrorOf(() => parseMediaObject('video', undefined, 'template header video')), [131009, 'Param template header video must be a JSON object.']);
  });
});
