import type { CrmRequest } from './request';

/**
 * What n8n's "WhatsApp Business Cloud" node sends, from n8n-io/n8n packages/nodes-base:
 *
 * - credentials/WhatsAppApi.credentials.ts — fields `accessToken` and `businessAccountId`;
 *   every request carries `Authorization: Bearer {accessToken}`. The credential test is
 *   `GET https://graph.facebook.com/v13.0/` with `ignoreHttpStatusErrors`, and fails ("Invalid
 *   access token") only when the body's `error.type` is `OAuthException`.
 * - nodes/WhatsApp/GenericFunctions.ts — `WHATSAPP_BASE_URL = 'https://graph.facebook.com/v13.0/'`,
 *   a constant: the node has no base URL setting (see docs/crm/n8n.md for the ways round it).
 * - nodes/WhatsApp/MessagesDescription.ts — the declarative routing: the "Sender Phone Number"
 *   list (`GET {businessAccountId}/phone_numbers`, options `display_phone_number - verified_name`
 *   → `id`), the template list (`GET {businessAccountId}/message_templates`, options
 *   `name - language` → `name|language`), sends to `POST {phoneNumberId}/messages`.
 * - nodes/WhatsApp/MessageFunctions.ts — `setType`, `cleanPhoneNumber` (strips `+-()`),
 *   `templateInfo` (splits `name|language`), `componentsRequest` (body/header/button parameters,
 *   currency `amount_1000` multiplied by 1000), `mediaUploadFromItem`.
 * - nodes/WhatsApp/MediaFunctions.ts — uploads: multipart `file` (with the binary's content type
 *   and file name) and `messaging_product=whatsapp`, no `type` field.
 *
 * Bodies are JSON (axios). Keys are listed in the order the routing fills them.
 */
export interface N8nCredential {
  accessToken: string;
  businessAccountId: string;
}

const MESSAGES = 'packages/nodes-base/nodes/WhatsApp/MessagesDescription.ts';
const auth = (c: N8nCredential) => ({ Authorization: `Bearer ${c.accessToken}` });
const json = (c: N8nCredential) => ({ ...auth(c), 'Content-Type': 'application/json', Accept: 'application/json' });

/** The credential test ("Test" in the credential dialog, and on save). */
export function credentialTest(c: N8nCredential): CrmRequest {
  return { name: 'credential test', source: 'packages/nodes-base/credentials/WhatsAppApi.credentials.ts', method: 'GET', path: '/v13.0/', headers: auth(c) };
}

/** n8n's rule for the credential test's answer: fine unless `error.type` is OAuthException. */
export function credentialTestPasses(body: any): boolean {
  return body?.error?.type !== 'OAuthException';
}

/** "Sender Phone Number (or ID)" dropdown. */
export function phoneNumbers(c: N8nCredential): CrmRequest {
  return { name: 'loadOptions phoneNumberId', source: MESSAGES, method: 'GET', path: `/v13.0/${c.businessAccountId}/phone_numbers`, headers: auth(c) };
}

/** The dropdown entries n8n builds from the phone_numbers answer (rootProperty data, setKeyValue, sort). */
export function phoneNumberOptions(body: any): Array<{ name: string; value: string }> {
  return (body.data as any[]).map((r) => ({ name: `${r.display_phone_number} - ${r.verified_name}`, value: r.id })).sort((a, b) => a.name.localeCompare(b.name));
}

/** "Template" dropdown of the Send Template operation. */
export function messageTemplates(c: N8nCredential): CrmRequest {
  return { name: 'loadOptions template', source: MESSAGES, method: 'GET', path: `/v13.0/${c.businessAccountId}/message_templates`, headers: auth(c) };
}

/** The dropdown entries n8n builds from the message_templates answer. */
export function templateOptions(body: any): Array<{ name: string; value: string }> {
  return (body.data as any[]).map((r) => ({ name: `${r.name} - ${r.language}`, value: `${r.name}|${r.language}` })).sort((a, b) => a.name.localeCompare(b.name));
}

const sanitize = (phone: string) => phone.replace(/[-()+]/g, '');

/** Message › Send, type Text (with "Show URL Previews" when `previewUrl` is given). */
export function sendText(c: N8nCredential, phoneNumberId: string, recipient: string, text: string, previewUrl?: boolean): CrmRequest {
  return {
    name: 'send text',
    source: MESSAGES,
    method: 'POST',
    path: `/v13.0/${phoneNumberId}/messages`,
    headers: json(c),
    body: JSON.stringify({ messaging_product: 'whatsapp', text: { body: text, ...(previewUrl === undefined ? {} : { preview_url: previewUrl }) }, type: 'text', to: sanitize(recipient) }),
  };
}

/** Message › Send, type Image/Video/Audio/Document/Sticker from a link or an uploaded id. */
export function sendMedia(
  c: N8nCredential,
  phoneNumberId: string,
  recipient: string,
  type: 'image' | 'video' | 'audio' | 'document' | 'sticker',
  media: { link?: string; id?: string; caption?: string; filename?: string },
): CrmRequest {
  return {
    name: `send ${type}`,
    source: MESSAGES,
    method: 'POST',
    path: `/v13.0/${phoneNumberId}/messages`,
    headers: json(c),
    body: JSON.stringify({ messaging_product: 'whatsapp', [type]: media, type, to: sanitize(recipient) }),
  };
}

/** Message › Send, type Location (longitude first, as the routing fills it). */
export function sendLocation(c: N8nCredential, phoneNumberId: string, recipient: string, loc: { longitude: number; latitude: number; name?: string; address?: string }): CrmRequest {
  return {
    name: 'send location',
    source: MESSAGES,
    method: 'POST',
    path: `/v13.0/${phoneNumberId}/messages`,
    headers: json(c),
    body: JSON.stringify({ messaging_product: 'whatsapp', location: loc, type: 'location', to: sanitize(recipient) }),
  };
}

/**
 * Message › Send Template: `template` is the dropdown value `name|language`; `components` as
 * componentsRequest builds them (body text/currency/date_time, header text/image, button with
 * `index` as a string).
 */
export function sendTemplate(c: N8nCredential, phoneNumberId: string, recipient: string, template: string, components?: object[]): CrmRequest {
  const [name, language] = template.split('|');
  return {
    name: 'send template',
    source: 'packages/nodes-base/nodes/WhatsApp/MessageFunctions.ts',
    method: 'POST',
    path: `/v13.0/${phoneNumberId}/messages`,
    headers: json(c),
    body: JSON.stringify({ messaging_product: 'whatsapp', to: sanitize(recipient), template: { name, language: { code: language }, ...(components ? { components } : {}) }, type: 'template' }),
  };
}

/** Media › Upload (and the upload step of "Take … From: n8n"): no `type` field. */
export function uploadMedia(c: N8nCredential, phoneNumberId: string, file: Buffer, contentType: string, filename: string): CrmRequest {
  return {
    name: 'upload media',
    source: 'packages/nodes-base/nodes/WhatsApp/MediaFunctions.ts',
    method: 'POST',
    path: `/v13.0/${phoneNumberId}/media`,
    headers: auth(c),
    multipart: { parts: [{ name: 'file', file, filename, contentType }, { name: 'messaging_product', value: 'whatsapp' }] },
  };
}

/** Media › Get URL and Media › Delete (MediaDescription.ts: `GET|DELETE {mediaId}`). */
export function mediaUrl(c: N8nCredential, mediaId: string): CrmRequest {
  return { name: 'media get URL', source: 'packages/nodes-base/nodes/WhatsApp/MediaDescription.ts', method: 'GET', path: `/v13.0/${mediaId}`, headers: auth(c) };
}
export function mediaDelete(c: N8nCredential, mediaId: string): CrmRequest {
  return { name: 'media delete', source: 'packages/nodes-base/nodes/WhatsApp/MediaDescription.ts', method: 'DELETE', path: `/v13.0/${mediaId}`, headers: auth(c) };
}
