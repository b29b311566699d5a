import type { CrmRequest } from './request';

/**
 * What pywa (david-lev/pywa, pywa/api.py and pywa/client.py) sends for the calls a bot makes.
 * `GraphAPI.__init__` sets the httpx client's `base_url` to `https://graph.facebook.com/v{api_version}`
 * itself (overwriting any `base_url` of a client passed as `session=`), and adds
 * `Authorization: Bearer {token}` and `User-Agent: PyWa/{version}`; redirecting it to Switchboard
 * takes an httpx transport that rewrites the host (docs/crm/pywa.md). Every answer with a status
 * ≥ 400 is raised as `WhatsAppError.from_dict(res.json()['error'])`.
 *
 * `send_message` (api.py) drops `None` values, so keys are: messaging_product, recipient_type,
 * type, to | recipient, context, biz_opaque_callback_data, then the type's object.
 * `resolve_recipient` (_helpers.py) sends `recipient` for ids matching /^[A-Z]{2}\.\d+$/ and
 * `to` for phone numbers; with the default `user_identifier_priority` (BSUID first) a reply to an
 * update that carries `user_id` goes to that id.
 */
export interface PywaClient {
  token: string;
  phoneId: string;
  businessAccountId?: string;
  /** `api_version` (a float; pywa formats it as `v{api_version}`). */
  apiVersion: string;
}

const headers = (c: PywaClient) => ({ Authorization: `Bearer ${c.token}`, 'User-Agent': 'PyWa/3.0.0', 'Content-Type': 'application/json' });
const BSUID = /^[A-Z]{2}\.\d+$/;

function send(c: PywaClient, to: string, typ: string, msg: unknown, extra: { replyTo?: string; tracker?: string } = {}): CrmRequest {
  const data: Record<string, unknown> = { messaging_product: 'whatsapp', recipient_type: 'individual', type: typ };
  if (BSUID.test(to)) data.recipient = to;
  else data.to = to;
  if (extra.replyTo) data.context = { message_id: extra.replyTo };
  if (extra.tracker) data.biz_opaque_callback_data = extra.tracker;
  data[typ] = msg;
  return { name: `send_message (${typ})`, source: 'pywa/api.py', method: 'POST', path: `/v${c.apiVersion}/${c.phoneId}/messages`, headers: headers(c), body: JSON.stringify(data) };
}

/** `WhatsApp.send_message(to, text, preview_url=False)` (client.py). */
export const sendText = (c: PywaClient, to: string, text: string, extra?: { replyTo?: string; tracker?: string }) =>
  send(c, to, 'text', { body: text, preview_url: false }, extra);

/** `send_message(..., buttons=[Button(...)])`: interactive button with header/footer as given. */
export const sendButtons = (c: PywaClient, to: string, text: string, buttons: Array<{ id: string; title: string }>) =>
  send(c, to, 'interactive', { type: 'button', body: { text }, action: { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) } });

/** `send_image(to, image=url, caption=...)`. */
export const sendImage = (c: PywaClient, to: string, link: string, caption: string) => send(c, to, 'image', { link, caption });

/** `mark_message_as_read` / `indicate_typing`. */
export function markRead(c: PywaClient, messageId: string, typing: boolean): CrmRequest {
  return {
    name: typing ? 'indicate_typing' : 'mark_message_as_read',
    source: 'pywa/api.py',
    method: 'POST',
    path: `/v${c.apiVersion}/${c.phoneId}/messages`,
    headers: headers(c),
    body: JSON.stringify({ messaging_product: 'whatsapp', status: 'read', message_id: messageId, ...(typing ? { typing_indicator: { type: 'text' } } : {}) }),
  };
}

/** `upload_media`: multipart `file`, `messaging_product`, `type`. */
export function uploadMedia(c: PywaClient, file: Buffer, mimeType: string, filename: string): CrmRequest {
  return {
    name: 'upload_media',
    source: 'pywa/api.py',
    method: 'POST',
    path: `/v${c.apiVersion}/${c.phoneId}/media`,
    headers: { Authorization: `Bearer ${c.token}`, 'User-Agent': 'PyWa/3.0.0' },
    multipart: { parts: [{ name: 'file', file, filename, contentType: mimeType }, { name: 'messaging_product', value: 'whatsapp' }, { name: 'type', value: mimeType }] },
  };
}

/** `get_media_url` (then `download_media` GETs `url` with the same client). */
export function mediaUrl(c: PywaClient, mediaId: string): CrmRequest {
  return { name: 'get_media_url', source: 'pywa/api.py', method: 'GET', path: `/v${c.apiVersion}/${mediaId}`, headers: headers(c) };
}

/** `get_business_phone_number(fields=...)`. */
export function businessPhoneNumber(c: PywaClient, fields: string[]): CrmRequest {
  return { name: 'get_business_phone_number', source: 'pywa/api.py', method: 'GET', path: `/v${c.apiVersion}/${c.phoneId}`, query: { fields: fields.join(',') }, headers: headers(c) };
}
