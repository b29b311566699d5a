import { CloudApiError, graphInvalidParam, invalidParam, missingParam } from './cloud-api.errors';
import type { ReplyOption, ReplyOptions } from './entities/cloud-api-message.entity';
import type { MetaMediaObject } from './dto/cloud-api-message.dto';
import { buildVcard } from '../messages/vcard';

/** Media given by Meta's `id` (an upload) or `link` (a public URL). */
export interface MediaRef {
  id?: string;
  link?: string;
}

export type MediaType = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';

/** A media message to send, with the text that goes with it. */
export interface PlannedMedia {
  type: MediaType;
  media: MediaRef;
  caption?: string;
  filename?: string;
}

/** What a Meta message becomes before it reaches the native send path. */
export type PlannedContent =
  | { type: 'text'; text: string }
  | PlannedMedia
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'contacts'; vcards: string[] }
  | { type: 'reaction'; messageId: string; emoji: string }
  /** Interactive messages, rendered for WhatsApp Web: a text, or a captioned media message. */
  | { type: 'rendered'; text: string; media?: PlannedMedia; replyOptions?: ReplyOptions }
  | { type: 'template'; name: string; language: string; components: unknown[] };

export type SendPlan =
  | { kind: 'read'; messageId: string; typing: boolean }
  | {
      kind: 'send';
      to: string;
      recipientType: 'individual' | 'group';
      contextMessageId?: string;
      bizOpaqueCallbackData?: string;
      content: PlannedContent;
    };

const TYPES = ['audio', 'contacts', 'document', 'image', 'interactive', 'location', 'reaction', 'sticker', 'template', 'text', 'video'];
/** Meta's types WhatsApp Web has no way to carry. */
const UNSUPPORTED_TYPES = ['order', 'product', 'catalog', 'system', 'button', 'unknown'];

/**
 * Validates a `POST /{phone-number-id}/messages` body the way Meta does (unknown keys and
 * null optionals tolerated; 100 for bad Graph parameters, 131008 for a missing field of the
 * typed object, 131009 for a bad value, 131051 for what cannot be delivered) and turns it into
 * a plan for the native send path.
 */
export function planRequest(body: unknown): SendPlan {
  if (!isObject(body)) throw graphInvalidParam('The request body must be a JSON object');
  const product = body.messaging_product;
  if (product === undefined || product === null || product === '') throw graphInvalidParam('The parameter messaging_product is required.');
  if (product !== 'whatsapp') throw graphInvalidParam(`Param messaging_product must be one of {WHATSAPP} - got "${String(product)}".`);

  if (body.status !== undefined && body.status !== null) {
    if (body.status !== 'read') throw graphInvalidParam(`Param status must be one of {READ} - got "${String(body.status)}".`);
    const messageId = str(body.message_id);
    if (!messageId) throw graphInvalidParam('The parameter message_id is required.');
    const typing = graphJson(body.typing_indicator);
    if (typing !== undefined && typing !== null) {
      if (!isObject(typing) || typing.type !== 'text') throw graphInvalidParam('Param typing_indicator[\'type\'] must be one of {TEXT}.');
    }
    return { kind: 'read', messageId, typing: isObject(typing) };
  }

  const recipientType = body.recipient_type ?? 'individual';
  if (recipientType !== 'individual' && recipientType !== 'group') {
    throw graphInvalidParam(`Param recipient_type must be one of {INDIVIDUAL, GROUP} - got "${String(recipientType)}".`);
  }
  let to = str(body.to);
  if (!to) {
    const recipient = str(body.recipient);
    if (recipient && /^[A-Za-z]{2}\..+/.test(recipient)) {
      throw invalidParam(`Business-scoped user ids (${recipient}) are not available on WhatsApp Web; send to the phone number in "to".`);
    }
    to = recipient;
  }
  if (!to) throw graphInvalidParam('The parameter to is required.');

  const type = body.type === undefined || body.type === null ? 'text' : body.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    if (typeof type === 'string' && UNSUPPORTED_TYPES.includes(type)) {
      throw new CloudApiError(131051, `Message type ${type} is not supported.`);
    }
    throw graphInvalidParam(`Param type must be one of {${TYPES.map((t) => t.toUpperCase()).join(', ')}} - got "${String(type)}".`);
  }
  const typed = graphJson(body[type]);
  if (typed === undefined || typed === null) throw missingParam(`The parameter ${type} is required.`);

  let contextMessageId: string | undefined;
  const context = graphJson(body.context);
  if (context !== undefined && context !== null) {
    if (!isObject(context) || !str(context.message_id)) throw missingParam("The parameter context['message_id'] is required.");
    contextMessageId = str(context.message_id);
  }
  let bizOpaqueCallbackData: string | undefined;
  if (body.biz_opaque_callback_data !== undefined && body.biz_opaque_callback_data !== null) {
    if (typeof body.biz_opaque_callback_data !== 'string') throw graphInvalidParam('Param biz_opaque_callback_data must be a string.');
    if (body.biz_opaque_callback_data.length > 512) throw graphInvalidParam('Param biz_opaque_callback_data must be at most 512 characters long.');
    bizOpaqueCallbackData = body.biz_opaque_callback_data;
  }
  return {
    kind: 'send',
    to,
    recipientType,
    contextMessageId,
    bizOpaqueCallbackData,
    content: planContent(type, typed),
  };
}

function planContent(type: string, typed: unknown): PlannedContent {
  switch (type) {
    case 'text': {
      const o = objectParam(typed, 'text');
      const text = str(o.body);
      if (!text) throw missingParam("The parameter text['body'] is required.");
      if (text.length > 4096) throw invalidParam("Param text['body'] must be at most 4096 characters long.");
      return { type: 'text', text };
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return mediaObject(type, typed);
    case 'location': {
      const o = objectParam(typed, 'location');
      const latitude = coordinate(o.latitude, 'latitude', 90);
      const longitude = coordinate(o.longitude, 'longitude', 180);
      return { type: 'location', latitude, longitude, ...optionalText(o, 'name', 1000), ...optionalText(o, 'address', 1000) };
    }
    case 'contacts': {
      if (!Array.isArray(typed) || !typed.length) throw missingParam('The parameter contacts is required.');
      if (typed.length > 257) throw invalidParam('Param contacts must have at most 257 contacts.');
      return { type: 'contacts', vcards: typed.map((c, i) => toVcard(c, i)) };
    }
    case 'reaction': {
      const o = objectParam(typed, 'reaction');
      const messageId = str(o.message_id);
      if (!messageId) throw missingParam("The parameter reaction['message_id'] is required.");
      if (o.emoji !== undefined && o.emoji !== null && typeof o.emoji !== 'string') throw invalidParam("Param reaction['emoji'] must be a string.");
      const emoji = (o.emoji as string | undefined) ?? '';
      if ([...emoji].length > 10) throw invalidParam("Param reaction['emoji'] must be a single emoji.");
      return { type: 'reaction', messageId, emoji };
    }
    case 'interactive':
      return renderInteractive(objectParam(typed, 'interactive'));
    default: {
      const o = objectParam(typed, 'template');
      const name = str(o.name);
      if (!name) throw missingParam("The parameter template['name'] is required.");
      const language = isObject(o.language) ? str(o.language.code) : undefined;
      if (!language) throw missingParam("The parameter template['language']['code'] is required.");
      if (o.components !== undefined && o.components !== null && !Array.isArray(o.components)) {
        throw invalidParam("Param template['components'] must be an array.");
      }
      return { type: 'template', name, language, components: (o.components as unknown[] | undefined) ?? [] };
    }
  }
}

/** A Meta media object (`{id|link, caption?, filename?}`) for a message or a header. */
export function mediaObject(type: string, value: unknown, path = type): PlannedMedia {
  const o = objectParam(value, path) as MetaMediaObject;
  const id = str(o.id);
  const link = str(o.link);
  if (!id && !link) throw missingParam(`The parameter ${path}['id'] or ${path}['link'] is required.`);
  if (id && link) throw invalidParam(`Param ${path} must have either id or link, not both.`);
  if (link && !/^https?:\/\/\S+$/i.test(link)) throw invalidParam(`Param ${path}['link'] is not a valid URI.`);
  const out: PlannedMedia = { type: type === 'audio' && o.voice === true ? 'voice' : (type as MediaType), media: id ? { id } : { link: link! } };
  const caption = str(o.caption);
  if (caption && ['image', 'video', 'document'].includes(type)) {
    if (caption.length > 1024) throw invalidParam(`Param ${path}['caption'] must be at most 1024 characters long.`);
    out.caption = caption;
  }
  const filename = str(o.filename);
  if (filename && type === 'document') out.filename = filename;
  return out;
}

// ------------------------------------------------------------------ interactive

/**
 * WhatsApp Web (a linked device) cannot send interactive messages: WhatsApp only renders
 * buttons and lists from the Business API, and messages carrying them from a companion device
 * are dropped or shown as "update WhatsApp". They are delivered as the closest thing that
 * always arrives: the header, body and footer as formatted text (a media header becomes the
 * media with the text as caption), with reply buttons and list rows as numbered options and a
 * CTA button as its label and link. The options are remembered, so a reply naming a number or
 * a title comes back as Meta's `button_reply` / `list_reply` in webhooks.
 */
export function renderInteractive(o: Record<string, unknown>): PlannedContent {
  const kind = str(o.type);
  if (!kind) throw missingParam("The parameter interactive['type'] is required.");
  if (!['button', 'list', 'cta_url', 'location_request_message'].includes(kind)) {
    throw new CloudApiError(131051, `Interactive type ${kind} cannot be delivered through WhatsApp Web; use button, list, cta_url or location_request_message.`);
  }
  const action = o.action;
  if (!isObject(action)) throw missingParam("The parameter interactive['action'] is required.");
  const body = isObject(o.body) ? str(o.body.text) : undefined;
  if (!body) throw missingParam("The parameter interactive['body']['text'] is required.");
  if (body.length > 4096) throw invalidParam("Param interactive['body']['text'] must be at most 4096 characters long.");
  const footer = isObject(o.footer) ? str(o.footer.text) : undefined;
  const { headerText, headerMedia } = interactiveHeader(o.header, kind);

  const lines: string[] = [];
  let replyOptions: ReplyOptions | undefined;
  switch (kind) {
    case 'button': {
      const buttons = action.buttons;
      if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) {
        throw invalidParam(`Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3`);
      }
      const options = buttons.map((b, i): ReplyOption => {
        const reply = isObject(b) && isObject(b.reply) ? b.reply : null;
        const id = reply ? str(reply.id) : undefined;
        const title = reply ? str(reply.title) : undefined;
        if (!id) throw missingParam(`The parameter interactive['action']['buttons'][${i}]['reply']['id'] is required.`);
        if (!title) throw missingParam(`The parameter interactive['action']['buttons'][${i}]['reply']['title'] is required.`);
        if (title.length > 20) throw invalidParam(`Button title length is too long. Max length allowed: 20`);
        return { n: i + 1, id, title };
      });
      if (new Set(options.map((b) => b.id)).size !== options.length) throw invalidParam('Button ids must be unique.');
      if (new Set(options.map((b) => b.title)).size !== options.length) throw invalidParam('Button titles must be unique.');
      lines.push(...options.map((b) => `${b.n}. ${b.title}`));
      replyOptions = { kind: 'button', options };
      break;
    }
    case 'list': {
      const label = str(action.button);
      if (!label) throw missingParam("The parameter interactive['action']['button'] is required.");
      const sections = action.sections;
      if (!Array.isArray(sections) || !sections.length || sections.length > 10) throw invalidParam('Invalid sections count. Min allowed sections: 1, Max allowed sections: 10');
      const options: ReplyOption[] = [];
      lines.push(`*${label}*`);
      sections.forEach((s, si) => {
        if (!isObject(s) || !Array.isArray(s.rows) || !s.rows.length) throw missingParam(`The parameter interactive['action']['sections'][${si}]['rows'] is required.`);
        const title = str(s.title);
        if (!title && sections.length > 1) throw missingParam(`The parameter interactive['action']['sections'][${si}]['title'] is required.`);
        if (title) lines.push(`_${title}_`);
        s.rows.forEach((r, ri) => {
          const id = isObject(r) ? str(r.id) : undefined;
          const rowTitle = isObject(r) ? str(r.title) : undefined;
          if (!id || !rowTitle) throw missingParam(`The parameter interactive['action']['sections'][${si}]['rows'][${ri}]['${id ? 'title' : 'id'}'] is required.`);
          const description = isObject(r) ? str(r.description) : undefined;
          const option: ReplyOption = { n: options.length + 1, id, title: rowTitle, ...(description ? { description } : {}) };
          options.push(option);
          lines.push(`${option.n}. ${rowTitle}${description ? ` — ${description}` : ''}`);
        });
      });
      if (options.length > 10) throw invalidParam('Total row count exceed max allowed count: 10');
      if (new Set(options.map((r) => r.id)).size !== options.length) throw invalidParam('Row ids must be unique.');
      replyOptions = { kind: 'list', options };
      break;
    }
    case 'cta_url': {
      const p = isObject(action.parameters) ? action.parameters : null;
      const text = p ? str(p.display_text) : undefined;
      const url = p ? str(p.url) : undefined;
      if (!text) throw missingParam("The parameter interactive['action']['parameters']['display_text'] is required.");
      if (!url || !/^https?:\/\/\S+$/i.test(url)) throw invalidParam("Param interactive['action']['parameters']['url'] is not a valid URI.");
      lines.push(`${text}: ${url}`);
      break;
    }
    default:
      // location_request_message: the body asks for the location; the contact shares it by hand.
      break;
  }
  const text = composeText({ header: headerText, body, footer, options: lines });
  if (headerMedia) return { type: 'rendered', text, media: { ...headerMedia, caption: text }, replyOptions };
  return { type: 'rendered', text, replyOptions };
}

function interactiveHeader(header: unknown, kind: string): { headerText?: string; headerMedia?: PlannedMedia } {
  if (header === undefined || header === null) return {};
  if (!isObject(header)) throw invalidParam("Param interactive['header'] must be an object.");
  const type = str(header.type);
  if (type === 'text') {
    const text = str(header.text);
    if (!text) throw missingParam("The parameter interactive['header']['text'] is required.");
    if (text.length > 60) throw invalidParam("Param interactive['header']['text'] must be at most 60 characters long.");
    return { headerText: text };
  }
  if (kind === 'list') throw invalidParam('A list message supports a text header only.');
  if (type === 'image' || type === 'video' || type === 'document') {
    return { headerMedia: mediaObject(type, header[type], `interactive['header']['${type}']`) };
  }
  throw invalidParam(`Param interactive['header']['type'] must be one of {TEXT, IMAGE, VIDEO, DOCUMENT} - got "${String(type)}".`);
}

/** WhatsApp formatting: *bold* header, body, _italic_ footer, then the options. */
export function composeText(parts: { header?: string; body: string; footer?: string; options?: string[] }): string {
  const blocks = [parts.header ? `*${parts.header}*\n${parts.body}` : parts.body];
  if (parts.footer) blocks.push(`_${parts.footer}_`);
  if (parts.options?.length) blocks.push(parts.options.join('\n'));
  return blocks.join('\n\n');
}

// ------------------------------------------------------------------ contacts

/** One Cloud API contact object as a vCard 3.0 (what WhatsApp carries for contacts). */
export function toVcard(contact: unknown, index: number): string {
  const path = `contacts[${index}]`;
  if (!isObject(contact)) throw invalidParam(`Param ${path} must be an object.`);
  const name = isObject(contact.name) ? contact.name : null;
  const formatted = name ? str(name.formatted_name) : undefined;
  if (!name || !formatted) throw missingParam(`The parameter ${path}['name']['formatted_name'] is required.`);
  const org = isObject(contact.org) ? contact.org : {};
  return buildVcard({
    formattedName: formatted,
    name: { last: str(name.last_name), first: str(name.first_name), middle: str(name.middle_name), prefix: str(name.prefix), suffix: str(name.suffix) },
    org: { company: str(org.company), department: str(org.department), title: str(org.title) },
    phones: arrayOf(contact.phones).flatMap((p) => {
      const number = str(p.phone) ?? (str(p.wa_id) ? `+${str(p.wa_id)}` : undefined);
      if (!number) return [];
      return [{ number, waId: str(p.wa_id) ?? (number.replace(/\D/g, '') || undefined), types: [str(p.type) ?? 'CELL'] }];
    }),
    emails: arrayOf(contact.emails).flatMap((e) => (str(e.email) ? [{ address: str(e.email)!, type: str(e.type) ?? 'INTERNET' }] : [])),
    addresses: arrayOf(contact.addresses).map((a) => ({ type: str(a.type) ?? 'HOME', street: str(a.street), city: str(a.city), state: str(a.state), zip: str(a.zip), country: str(a.country) })),
    urls: arrayOf(contact.urls).flatMap((u) => (str(u.url) ? [{ url: str(u.url)!, type: str(u.type) ?? 'WORK' }] : [])),
    birthday: str(contact.birthday),
  });
}

// ------------------------------------------------------------------ helpers

/**
 * Graph takes object and array parameters as JSON text too (form posts send them that way, and
 * whatsapp-api-js serialises `Contacts` to a JSON string inside the JSON body).
 */
function graphJson(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string (numbers are taken as strings, as Graph does); otherwise undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function objectParam(v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v)) throw invalidParam(`Param ${path} must be a JSON object.`);
  return v;
}

function optionalText(o: Record<string, unknown>, key: string, max: number): Record<string, string> {
  const v = str(o[key]);
  if (!v) return {};
  if (v.length > max) throw invalidParam(`Param location['${key}'] must be at most ${max} characters long.`);
  return { [key]: v };
}

function coordinate(v: unknown, key: string, limit: number): number {
  if (v === undefined || v === null || v === '') throw missingParam(`The parameter location['${key}'] is required.`);
  // heyoo and others send coordinates as strings.
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n) || Math.abs(n) > limit) throw invalidParam(`Param location['${key}'] must be a number between -${limit} and ${limit}.`);
  return n;
}

function arrayOf(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}
