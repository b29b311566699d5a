import { createHmac, randomInt } from 'node:crypto';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { phoneNumberIdOf, wabaIdOf } from '../common/utils/graph-ids';
import { jidUser } from '../messages/recipient';
import type { FormattedPayload, FormatterSetupInput, SignInput, TestPing, WebhookFormatter } from '../webhooks/formats/webhook-formatter';
import type { WebhookEnvelope, WebhookEventType } from '../webhooks/webhook-events';
import { requestWebhook, type WebhookTransport } from '../webhooks/webhook-http';
import { businessUserIdOf } from './business-user-id';
import { META_ERRORS } from './cloud-api-error.map';
import { mediaIdOfMessage } from './cloud-api-media.service';
import type { CloudApiSendMemory } from './cloud-api-send-memory';
import { encodeWamid } from './wamid';
import type { EntityManager } from 'typeorm';

/** The parts of a stored message (`MessageDto`) an inbound webhook is built from. */
interface InboundData {
  id: string;
  waMessageId: string;
  chat: string;
  from: string | null;
  type: string;
  createdAt: string;
  content: {
    text?: string;
    caption?: string;
    fileName?: string;
    mimetype?: string;
    pushName?: string;
    quotedId?: string;
    forwarded?: 'forwarded' | 'frequently_forwarded';
    location?: { latitude: number; longitude: number; name?: string; address?: string };
    contact?: { displayName: string; vcards: string[] };
    reaction?: { emoji: string; target: { id: string; fromMe?: boolean } };
    media?: { mimetype?: string; fileName?: string | null; ptt?: boolean; animated?: boolean; sha256?: string | null };
  };
}

interface StatusData {
  waMessageId: string;
  chatId: string;
  status: string;
  error: { code: string; message: string } | null;
}

/** Meta's Cloud API has no "played": a voice note's PLAYED is not posted (its `read` was). Typebot refuses unknown statuses. */
const STATUS_NAMES: Record<string, string> = { SENT: 'sent', DELIVERED: 'delivered', READ: 'read' };
/**
 * Native failure codes → Meta's asynchronous error codes in `statuses[].errors` (the table in
 * docs/cloud-api.md). Codes not listed, and every `TTS_*` / `AUDIO_*` code by prefix, are
 * mapped in `metaFailureCode`.
 */
export const FAILURE_CODES: Readonly<Record<string, number>> = {
  RECIPIENT_NOT_ON_WHATSAPP: 131026,
  GROUP_NOT_FOUND: 131026,
  WHATSAPP_ERROR: 131026,
  EXPIRED: 131026,
  OPTED_OUT: 131050,
  NOT_OPTED_IN: 131050,
  MEDIA_MISSING: 131053,
  MEDIA_FETCH_FAILED: 131053,
  MEDIA_URL_FORBIDDEN: 131053,
  MEDIA_TOO_LARGE: 131053,
  MEDIA_TOO_MANY_PIXELS: 131053,
  MEDIA_TYPE_MISMATCH: 131053,
  MEDIA_INVALID: 131053,
  MEDIA_NOT_ALLOWED: 131053,
};
const ERROR_TITLES: Record<number, string> = { 131050: 'User stopped marketing messages' };
const ERROR_HREF = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

/** Meta's code for a native failure code: undeliverable, opted out, media, or 131000 (something went wrong). */
export function metaFailureCode(nativeCode: string): number {
  return FAILURE_CODES[nativeCode] ?? (/^(TTS|AUDIO)_/.test(nativeCode) ? 131053 : 131000);
}

/**
 * Webhook subscriptions with `format: "cloud-api"`: Meta's webhook payloads for inbound messages
 * and for the statuses of outbound ones, one item per request (whatsapp-api-js reads only the
 * first), JSON with every non-ASCII character escaped (Meta signs that form, and
 * whatsapp-api-js checks the signature against it), signed `X-Hub-Signature-256` with the
 * subscription secret playing Meta's app secret. Registration performs Meta's verification
 * handshake (`hub.challenge`) and refuses a callback that fails it.
 */
export class CloudApiWebhookFormatter implements WebhookFormatter {
  readonly name = 'cloud-api';
  readonly events: readonly WebhookEventType[] = ['message.received', 'message.status'];

  constructor(
    private readonly memory: CloudApiSendMemory,
    private readonly timeoutMs: number,
  ) {}

  /** @throws AppError VALIDATION_FAILED (no verifyToken), WEBHOOK_VERIFICATION_FAILED (handshake failed) */
  async setup(input: FormatterSetupInput): Promise<Record<string, unknown>> {
    const verifyToken = input.verifyToken;
    if (!verifyToken) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Validation failed: verifyToken: format "cloud-api" needs the verify token your callback expects', {
        fields: [{ field: 'verifyToken', messages: ['verifyToken is required for format "cloud-api"'] }],
      });
    }
    await verifyCallback(input.transport, input.url, verifyToken, this.timeoutMs);
    return { verifyToken };
  }

  /** The session's number and workspace (`entry[].id`) as the database has them now, whichever replica changed them. */
  prepare(sessionId: string, manager: EntityManager): Promise<void> {
    return this.memory.refresh(sessionId, manager);
  }

  format(envelope: WebhookEnvelope): FormattedPayload[] {
    const value = envelope.event === 'message.received' ? this.inbound(envelope) : this.status(envelope);
    return value ? [{ body: this.envelope(envelope.sessionId, value) }] : [];
  }

  /**
   * Meta's payload with one `sent` status for a message id that exists nowhere (`wamid.TEST_…`)
   * and recipient `0`: Meta clients hand it to their status handler, and nothing the receiver
   * does with it can reach a real chat (a sample inbound message would be answered by a bot).
   * A global webhook's test names no session: phone number id `0`.
   */
  testPing(ping: TestPing): string {
    const status = {
      id: `wamid.TEST_${ping.eventId.slice('evt_'.length).replace(/-/g, '')}`,
      status: 'sent',
      timestamp: String(Math.floor(Date.parse(ping.createdAt) / 1000)),
      recipient_id: '0',
    };
    if (ping.sessionId) return this.envelope(ping.sessionId, { statuses: [status] });
    const metadata = { display_phone_number: '', phone_number_id: '0' };
    return asciiJson({ object: 'whatsapp_business_account', entry: [{ id: '0', changes: [{ value: { messaging_product: 'whatsapp', metadata, statuses: [status] }, field: 'messages' }] }] });
  }

  /** One change of the session's WABA entry, as Meta posts it. */
  private envelope(sessionId: string, value: Record<string, unknown>): string {
    return asciiJson({
      object: 'whatsapp_business_account',
      entry: [{ id: this.wabaId(sessionId), changes: [{ value: { messaging_product: 'whatsapp', metadata: this.metadata(sessionId), ...value }, field: 'messages' }] }],
    });
  }

  headers(input: SignInput): Record<string, string> {
    return {
      'X-Hub-Signature-256': `sha256=${createHmac('sha256', input.secret).update(input.body).digest('hex')}`,
      'X-Hub-Signature': `sha1=${createHmac('sha1', input.secret).update(input.body).digest('hex')}`,
    };
  }

  /**
   * Meta's webhook metadata: the canonical phone number id (what the CRM was configured with) and
   * the number as digits without `+` or spaces, as Meta sends it (Chatwoot looks its inbox up by
   * `"+" + display_phone_number` and then compares `phone_number_id`).
   */
  private metadata(sessionId: string): { display_phone_number: string; phone_number_id: string } {
    return { display_phone_number: this.memory.numberOf(sessionId) ?? '', phone_number_id: phoneNumberIdOf(sessionId) };
  }

  /** `entry[].id`, and the scope of the session's user ids: the WhatsApp Business Account id of its workspace. */
  private wabaId(sessionId: string): string {
    return wabaIdOf(this.memory.workspaceOf(sessionId));
  }

  private inbound(envelope: WebhookEnvelope): Record<string, unknown> | null {
    const m = (envelope.data as { message?: InboundData }).message;
    if (!m) return null;
    const business = this.memory.numberOf(envelope.sessionId) ?? '';
    const senderJid = m.from ?? m.chat;
    const from = jidUser(senderJid);
    const userId = businessUserIdOf(senderJid, this.wabaId(envelope.sessionId));
    const c = m.content ?? {};
    const message: Record<string, unknown> = {
      from,
      from_user_id: userId,
      id: encodeWamid({ chatJid: m.chat, fromMe: false, id: m.waMessageId }),
      timestamp: String(Math.floor(Date.parse(m.createdAt ?? envelope.createdAt) / 1000)),
    };
    // Meta's context: a quoted message (from, id) and/or the forward marker.
    const context: Record<string, unknown> = {};
    if (c.forwarded) context[c.forwarded] = true;
    if (c.quotedId) Object.assign(context, { from: business, id: encodeWamid({ chatJid: m.chat, fromMe: true, id: c.quotedId }) });
    if (Object.keys(context).length) message.context = context;
    // Every media object carries what pywa requires (id, mime_type, sha256) and Meta's extras.
    const media = (type: string, extra: Record<string, unknown> = {}) => {
      message.type = type;
      message[type] = {
        ...(c.caption ? { caption: c.caption } : {}),
        ...(type === 'document' && (c.fileName ?? c.media?.fileName) ? { filename: c.fileName ?? c.media?.fileName } : {}),
        mime_type: c.media?.mimetype ?? c.mimetype ?? 'application/octet-stream',
        // Base64 of the file's SHA-256, as WhatsApp announced it with the message ('' when the engine did not).
        sha256: c.media?.sha256 ?? '',
        id: mediaIdOfMessage(m.id),
        ...extra,
      };
    };
    switch (m.type) {
      case 'text': {
        const reply = this.replyTo(envelope.sessionId, m.chat, c.text ?? '');
        if (reply) Object.assign(message, reply(business));
        else Object.assign(message, { type: 'text', text: { body: c.text ?? '' } });
        break;
      }
      case 'image':
      case 'video':
      case 'document':
        media(m.type);
        break;
      case 'audio':
      case 'voice':
        media('audio', { voice: m.type === 'voice' || Boolean(c.media?.ptt) });
        break;
      case 'sticker':
        media('sticker', { animated: Boolean(c.media?.animated) });
        break;
      case 'location':
        Object.assign(message, { type: 'location', location: location(c.location) });
        break;
      case 'contact':
        Object.assign(message, { type: 'contacts', contacts: (c.contact?.vcards ?? []).map(vcardToContact) });
        break;
      case 'reaction':
        Object.assign(message, {
          type: 'reaction',
          reaction: { message_id: encodeWamid({ chatJid: m.chat, fromMe: c.reaction?.target.fromMe ?? true, id: c.reaction?.target.id ?? '' }), emoji: c.reaction?.emoji ?? '' },
        });
        break;
      default:
        Object.assign(message, {
          type: 'unsupported',
          errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }],
          unsupported: { type: 'unknown' },
        });
    }
    // The profile name WhatsApp showed (the number when the contact has none: Chatwoot names the contact after it).
    return { contacts: [{ profile: { name: c.pushName || from }, wa_id: from, user_id: userId }], messages: [message] };
  }

  /**
   * A text answering the options of a degraded interactive or template message (its number or
   * title) becomes what Meta would have sent for a tap: `interactive.button_reply` /
   * `list_reply`, or a template quick reply's `button`.
   */
  private replyTo(sessionId: string, chatJid: string, text: string): ((business: string) => Record<string, unknown>) | null {
    const offered = this.memory.replyOptionsIn(sessionId, chatJid);
    if (!offered) return null;
    const answer = text.trim().replace(/[.)]$/, '').toLowerCase();
    const option = offered.replyOptions.options.find((o) => String(o.n) === answer || o.title.toLowerCase() === answer);
    if (!option) return null;
    return (business) => {
      const context = { from: business, id: encodeWamid({ chatJid, fromMe: true, id: offered.waMessageId }) };
      switch (offered.replyOptions.kind) {
        case 'button':
          return { context, type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: option.id, title: option.title } } };
        case 'list':
          return {
            context,
            type: 'interactive',
            interactive: { type: 'list_reply', list_reply: { id: option.id, title: option.title, ...(option.description ? { description: option.description } : {}) } },
          };
        default:
          return { context, type: 'button', button: { payload: option.id, text: option.title } };
      }
    };
  }

  private status(envelope: WebhookEnvelope): Record<string, unknown> | null {
    const s = envelope.data as unknown as StatusData;
    const failed = ['FAILED', 'EXPIRED', 'OPTED_OUT'].includes(s.status);
    const name = failed ? 'failed' : STATUS_NAMES[s.status];
    if (!name || !s.waMessageId) return null;
    const recipient = jidUser(s.chatId);
    const userId = businessUserIdOf(s.chatId, this.wabaId(envelope.sessionId));
    const timestamp = Math.floor(Date.parse(envelope.createdAt) / 1000);
    const item: Record<string, unknown> = {
      id: encodeWamid({ chatJid: s.chatId, fromMe: true, id: s.waMessageId }),
      status: name,
      timestamp: String(timestamp),
      recipient_id: recipient,
      recipient_user_id: userId,
    };
    const callbackData = this.memory.callbackDataOf(envelope.sessionId, s.waMessageId);
    if (callbackData) item.biz_opaque_callback_data = callbackData;
    if (failed) {
      const nativeCode = s.error?.code ?? s.status;
      const code = metaFailureCode(nativeCode);
      const title = ERROR_TITLES[code] ?? META_ERRORS[code]?.title ?? 'Something went wrong';
      item.errors = [{ code, title, message: title, error_data: { details: s.error?.message ?? nativeCode }, href: ERROR_HREF }];
    } else if (name === 'sent' || name === 'delivered') {
      // As Meta: the conversation and pricing on sent and delivered (the expiry only on sent);
      // a linked device's messages are free service messages.
      item.conversation = conversationOf(envelope.sessionId, s.chatId, timestamp, name === 'sent');
      item.pricing = { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' };
    }
    // pywa 4 builds a status's user from `contacts[0]` (user_id required), as Meta now sends it.
    return { contacts: [{ wa_id: recipient, user_id: userId }], statuses: [item] };
  }
}

/**
 * Meta's verification request: `GET <callback>?hub.mode=subscribe&hub.challenge=<n>&hub.verify_token=<t>`,
 * answered 200 with the challenge as the body.
 */
async function verifyCallback(transport: WebhookTransport, url: string, verifyToken: string, timeoutMs: number): Promise<void> {
  const challenge = String(randomInt(100_000_000, 2_000_000_000));
  const target = new URL(url);
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.challenge', challenge);
  target.searchParams.set('hub.verify_token', verifyToken);
  // Through the webhook's transport: a target its deliveries may not reach is not contacted.
  const res = await requestWebhook(transport, 'GET', target.toString(), null, {}, timeoutMs);
  if (res.statusCode === 200 && (res.responseBody ?? '').trim() === challenge) return;
  const problem =
    res.statusCode === 200
      ? 'the callback answered 200 without echoing hub.challenge'
      : res.statusCode !== null
        ? `the callback answered HTTP ${res.statusCode}`
        : `the callback could not be reached (${res.error})`;
  throw new AppError(ErrorCode.WEBHOOK_VERIFICATION_FAILED, `The callback URL failed Meta's verification handshake: ${problem}`, { url });
}

/** JSON with every character outside ASCII as `\uXXXX` (UTF-16 units, so emoji become surrogate pairs). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Meta's `conversation` of a status: one 24-hour service window per chat and UTC day (an id of
 * 32 hex digits that stays the same for every status in it), `origin.type` service, and the
 * window's end on `sent` statuses.
 */
function conversationOf(sessionId: string, chatJid: string, timestamp: number, withExpiry: boolean): Record<string, unknown> {
  const day = Math.floor(timestamp / 86_400);
  const id = createHmac('sha256', 'switchboard-conversation').update(`${sessionId}|${jidUser(chatJid)}|${day}`).digest('hex').slice(0, 32);
  return { id, ...(withExpiry ? { expiration_timestamp: String((day + 1) * 86_400) } : {}), origin: { type: 'service' } };
}

/** A shared location: coordinates as numbers, name and address only when WhatsApp gave them. */
function location(l: InboundData['content']['location']): Record<string, unknown> {
  return {
    latitude: Number(l?.latitude ?? 0),
    longitude: Number(l?.longitude ?? 0),
    ...(l?.name ? { name: l.name } : {}),
    ...(l?.address ? { address: l.address } : {}),
  };
}

/** A vCard as a Cloud API contact object (name and phones, what WhatsApp shows). */
function vcardToContact(vcard: string): Record<string, unknown> {
  const unescape = (v: string) => v.replace(/\\([\\;,])/g, '$1').replace(/\\n/gi, '\n').trim();
  const fn = /^FN[^:]*:(.*)$/im.exec(vcard)?.[1];
  const n = /^N[^:]*:(.*)$/im.exec(vcard)?.[1]?.split(';');
  const phones = [...vcard.matchAll(/^TEL([^:]*):(.*)$/gim)].map((m) => {
    const waId = /waid=(\d+)/i.exec(m[1])?.[1];
    const type = /type=([A-Za-z]+)/i.exec(m[1])?.[1];
    return { phone: unescape(m[2]), ...(waId ? { wa_id: waId } : {}), ...(type ? { type: type.toUpperCase() } : {}) };
  });
  const name: Record<string, string> = { formatted_name: unescape(fn ?? 'Contact') };
  if (n?.[1]) name.first_name = unescape(n[1]);
  if (n?.[0]) name.last_name = unescape(n[0]);
  return { name, phones };
}
