import { createHmac } from 'node:crypto';
import type { CrmRequest } from './request';

/**
 * What Typebot's WhatsApp integration sends, from baptisteArno/typebot.io packages/whatsapp/src.
 * Every URL starts with the `WHATSAPP_CLOUD_API_URL` env var (default
 * `https://graph.facebook.com`, packages/env/src/index.ts). All calls use ky with
 * `Authorization: Bearer {systemUserAccessToken}`; ky throws on any non-2xx answer.
 *
 * Credentials dialog (api/handleSetupMetaWebhook.ts, getMetaSystemTokenInfo.ts,
 * handleGetPhoneNumber.ts): `GET /v17.0/debug_token?input_token=` (reads `data.app_id`), all pages
 * of `GET /v17.0/{wabaId}/phone_numbers?fields=id,display_phone_number&limit=100` following
 * `paging.next` (needs the configured phone number id among `data[].id`), then with
 * "subscribe" `GET /v17.0/{wabaId}/subscribed_apps` (an entry whose
 * `whatsapp_business_api_data.id` or `id` is that app id) and, if absent, `POST` the same path
 * with no body; the phone number's name comes from `GET /v17.0/{phoneNumberId}` →
 * `display_phone_number`. With an app secret, every one of these carries
 * `appsecret_proof=HMAC-SHA256(appSecret, token)`.
 *
 * Chat (sendWhatsAppMessage.ts, sendWhatsAppTypingIndicator.ts, getOrUploadMedia.ts,
 * downloadMedia.ts): `POST /v21.0/{phoneNumberId}/messages` with
 * `{messaging_product, to | recipient, ...message}` (`recipient` when the id looks like a
 * business-scoped user id, /^[A-Z]{2}\.(?:ENT\.)?[a-zA-Z0-9]+$/), typing indicator as mark-read
 * with `typing_indicator`, uploads to `POST /v21.0/{phoneNumberId}/media` (multipart `file` as
 * an unnamed Blob, `type` = its MIME type, `messaging_product`), incoming media by
 * `GET /v17.0/{mediaId}` (reads `url`, `mime_type`) then a GET of `url` with the Bearer token.
 */
export interface TypebotCredentials {
  systemUserAccessToken: string;
  phoneNumberId: string;
  wabaId: string;
  appSecret?: string;
}

const auth = (c: TypebotCredentials) => ({ Authorization: `Bearer ${c.systemUserAccessToken}` });
const proof = (c: TypebotCredentials): Record<string, string> =>
  c.appSecret ? { appsecret_proof: createHmac('sha256', c.appSecret).update(c.systemUserAccessToken).digest('hex') } : {};
const jsonHeaders = (c: TypebotCredentials) => ({ ...auth(c), 'Content-Type': 'application/json' });
const SETUP = 'packages/whatsapp/src/api/handleSetupMetaWebhook.ts';

export function debugToken(c: TypebotCredentials): CrmRequest {
  return {
    name: 'getMetaSystemTokenInfo',
    source: 'packages/whatsapp/src/api/getMetaSystemTokenInfo.ts',
    method: 'GET',
    path: '/v17.0/debug_token',
    query: { input_token: c.systemUserAccessToken, ...proof(c) },
    headers: auth(c),
  };
}

export function wabaPhoneNumbers(c: TypebotCredentials): CrmRequest {
  return { name: 'getAllWabaPhoneNumbers', source: SETUP, method: 'GET', path: `/v17.0/${c.wabaId}/phone_numbers`, query: { fields: 'id,display_phone_number', limit: '100', ...proof(c) }, headers: auth(c) };
}

export function subscribedApps(c: TypebotCredentials): CrmRequest {
  return { name: 'isAppSubscribedToWaba', source: SETUP, method: 'GET', path: `/v17.0/${c.wabaId}/subscribed_apps`, query: proof(c), headers: auth(c) };
}

export function subscribeApp(c: TypebotCredentials): CrmRequest {
  return { name: 'subscribeAppToWaba', source: SETUP, method: 'POST', path: `/v17.0/${c.wabaId}/subscribed_apps`, query: proof(c), headers: auth(c) };
}

export function phoneNumber(c: TypebotCredentials): CrmRequest {
  return { name: 'handleGetPhoneNumber', source: 'packages/whatsapp/src/api/handleGetPhoneNumber.ts', method: 'GET', path: `/v17.0/${c.phoneNumberId}`, headers: auth(c) };
}

/** Typebot's test for an id it must address with `recipient`. */
export const TYPEBOT_USER_ID = /^[A-Z]{2}\.(?:ENT\.)?[a-zA-Z0-9]+$/;

export function sendMessage(c: TypebotCredentials, to: string, message: Record<string, unknown>): CrmRequest {
  return {
    name: `sendWhatsAppMessage (${String(message.type)})`,
    source: 'packages/whatsapp/src/sendWhatsAppMessage.ts',
    method: 'POST',
    path: `/v21.0/${c.phoneNumberId}/messages`,
    headers: jsonHeaders(c),
    body: JSON.stringify({ messaging_product: 'whatsapp', ...(TYPEBOT_USER_ID.test(to) ? { recipient: to } : { to }), ...message }),
  };
}

export function typingIndicator(c: TypebotCredentials, messageId: string): CrmRequest {
  return {
    name: 'sendWhatsAppTypingIndicator',
    source: 'packages/whatsapp/src/sendWhatsAppTypingIndicator.ts',
    method: 'POST',
    path: `/v21.0/${c.phoneNumberId}/messages`,
    headers: jsonHeaders(c),
    body: JSON.stringify({ messaging_product: 'whatsapp', status: 'read', message_id: messageId, typing_indicator: { type: 'text' } }),
  };
}

export function uploadMedia(c: TypebotCredentials, file: Buffer, mimeType: string): CrmRequest {
  return {
    name: 'getOrUploadMedia',
    source: 'packages/whatsapp/src/getOrUploadMedia.ts',
    method: 'POST',
    path: `/v21.0/${c.phoneNumberId}/media`,
    headers: auth(c),
    multipart: { parts: [{ name: 'file', file, contentType: mimeType }, { name: 'type', value: mimeType }, { name: 'messaging_product', value: 'whatsapp' }] },
  };
}

export function mediaInfo(c: TypebotCredentials, mediaId: string): CrmRequest {
  return { name: 'downloadMedia (url)', source: 'packages/whatsapp/src/downloadMedia.ts', method: 'GET', path: `/v17.0/${mediaId}`, headers: auth(c) };
}

/** The download itself: Bearer plus the crawler User-Agent Typebot sends. */
export function mediaDownload(c: TypebotCredentials): CrmRequest {
  return {
    name: 'downloadMedia (bytes)',
    source: 'packages/whatsapp/src/downloadMedia.ts',
    method: 'GET',
    path: '',
    headers: { ...auth(c), 'User-Agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
  };
}

/**
 * The checks Typebot's production webhook (api/handleProductionWebhookRequest.ts with
 * schemas.ts `whatsAppWebhookRequestBodySchema`) makes before it resumes a chat: a valid
 * `X-Hub-Signature-256` when an app secret is set, then the body must parse: per change
 * `metadata.phone_number_id` (string), `contacts[].profile.name` (string when present), messages
 * of a known type with a string `timestamp` and the type's required fields (media `id` and
 * `mime_type`, location numbers, interactive `button_reply`/`list_reply` `{id,title}`), statuses
 * with `id`, `recipient_id`, `timestamp` strings and a `status` among sent, delivered, read,
 * failed, deleted (a `pricing` needs boolean `billable`, `pricing_model`, `category`; `errors[]`
 * numeric `code` and `title`). Anything else answers 400 "Invalid WhatsApp webhook payload".
 * The chat is resumed only if `metadata.phone_number_id` equals the credentials' phone number id
 * (resumeWhatsAppFlow.ts); the session key is `from` (or `from_user_id`).
 *
 * Returns the problems found (empty: Typebot accepts the payload).
 */
export function typebotWebhookProblems(raw: string, signature: string | undefined, c: TypebotCredentials): string[] {
  const problems: string[] = [];
  if (c.appSecret && signature !== `sha256=${createHmac('sha256', c.appSecret).update(raw, 'utf8').digest('hex')}`) problems.push('signature');
  const body = JSON.parse(raw);
  const str = (v: unknown, what: string) => typeof v === 'string' || problems.push(`${what} is not a string`);
  const MEDIA = ['image', 'video', 'audio', 'document', 'sticker'];
  const TYPES = ['text', 'button', 'interactive', ...MEDIA, 'location', 'webhook', 'reaction', 'contacts', 'unsupported', 'system'];
  if (!Array.isArray(body.entry)) return [...problems, 'entry is not an array'];
  for (const entry of body.entry) {
    for (const change of entry.changes ?? []) {
      const v = change.value ?? {};
      if (v.metadata) str(v.metadata.phone_number_id, 'metadata.phone_number_id');
      for (const contact of v.contacts ?? []) if (contact.profile) str(contact.profile.name, 'contacts[].profile.name');
      for (const m of v.messages ?? []) {
        if (!TYPES.includes(m.type)) problems.push(`message type ${m.type}`);
        str(m.timestamp, 'messages[].timestamp');
        if (m.from !== undefined) str(m.from, 'messages[].from');
        if (m.type === 'text') str(m.text?.body, 'text.body');
        if (MEDIA.includes(m.type)) {
          str(m[m.type]?.id, `${m.type}.id`);
          str(m[m.type]?.mime_type, `${m.type}.mime_type`);
        }
        if (m.type === 'location' && (typeof m.location?.latitude !== 'number' || typeof m.location?.longitude !== 'number')) problems.push('location coordinates');
        if (m.type === 'interactive' && m.interactive) {
          const reply = m.interactive[m.interactive.type];
          if (!['button_reply', 'list_reply'].includes(m.interactive.type) || typeof reply?.id !== 'string' || typeof reply?.title !== 'string') problems.push('interactive reply');
        }
        if (m.type === 'button') str(m.button?.text, 'button.text');
      }
      for (const s of v.statuses ?? []) {
        str(s.id, 'statuses[].id');
        str(s.recipient_id, 'statuses[].recipient_id');
        str(s.timestamp, 'statuses[].timestamp');
        if (!['sent', 'delivered', 'read', 'failed', 'deleted'].includes(s.status)) problems.push(`status ${s.status}`);
        if (s.pricing && (typeof s.pricing.billable !== 'boolean' || typeof s.pricing.pricing_model !== 'string' || typeof s.pricing.category !== 'string')) problems.push('pricing');
        if (s.conversation) str(s.conversation.id, 'conversation.id');
        for (const e of s.errors ?? []) if (typeof e.code !== 'number' || typeof e.title !== 'string') problems.push('status error');
      }
    }
  }
  return problems;
}
