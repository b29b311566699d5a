import { buildVcard } from '../messages/vcard';
import { isBusinessUserId } from './business-user-id';
import type { CloudApiContact, CloudApiInteractive, CloudApiRequest, CloudApiSendRequest } from './dto/cloud-api-request.schema';
import type { ReplyOption, ReplyOptions } from './entities/cloud-api-message.entity';
import { composeText, plannedMedia, rendered, type PlannedContent, type PlannedMedia, type SendPlan } from './planned-content';

/**
 * A validated `POST /{phone-number-id}/messages` request (see `cloud-api-request.validation.ts`)
 * as a plan for the native send path: what to send, to whom, quoting what; or a read receipt.
 */
export function planRequest(request: CloudApiRequest): SendPlan {
  if ('status' in request) return { kind: 'read', messageId: request.message_id, typing: request.typing_indicator !== undefined };
  // `recipient` is a business-scoped user id, or a phone number like `to`; `to` wins when both are sent.
  const businessUserId = request.recipient !== undefined && isBusinessUserId(request.recipient) ? request.recipient : undefined;
  return {
    kind: 'send',
    // The schema requires one of them.
    to: (request.to ?? request.recipient)!,
    ...(businessUserId ? { businessUserId } : {}),
    recipientType: request.recipient_type ?? 'individual',
    contextMessageId: request.context?.message_id,
    bizOpaqueCallbackData: request.biz_opaque_callback_data,
    content: planContent(request),
  };
}

function planContent(request: CloudApiSendRequest): PlannedContent {
  switch (request.type) {
    case 'text':
      return { type: 'text', text: request.text.body };
    case 'location': {
      const { latitude, longitude, name, address } = request.location;
      return { type: 'location', latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) };
    }
    case 'contacts':
      return { type: 'contacts', vcards: request.contacts.map(toVcard) };
    case 'reaction':
      return { type: 'reaction', messageId: request.reaction.message_id, emoji: request.reaction.emoji ?? '' };
    case 'interactive':
      return renderInteractive(request.interactive);
    case 'template': {
      const { name, language, components } = request.template;
      return { type: 'template', name, language: language.code, components: components ?? [] };
    }
    case 'image':
      return plannedMedia('image', request.image);
    case 'video':
      return plannedMedia('video', request.video);
    case 'audio':
      return plannedMedia('audio', request.audio);
    case 'document':
      return plannedMedia('document', request.document);
    case 'sticker':
      return plannedMedia('sticker', request.sticker);
  }
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
export function renderInteractive(interactive: CloudApiInteractive): PlannedContent {
  const header = interactive.header;
  const headerText = header?.type === 'text' ? header.text : undefined;
  let headerMedia: PlannedMedia | undefined;
  if (header?.type === 'image') headerMedia = plannedMedia('image', header.image);
  if (header?.type === 'video') headerMedia = plannedMedia('video', header.video);
  if (header?.type === 'document') headerMedia = plannedMedia('document', header.document);

  const lines: string[] = [];
  let replyOptions: ReplyOptions | undefined;
  switch (interactive.type) {
    case 'button': {
      const options = interactive.action.buttons.map(({ reply }, i): ReplyOption => ({ n: i + 1, id: reply.id, title: reply.title }));
      lines.push(...options.map((b) => `${b.n}. ${b.title}`));
      replyOptions = { kind: 'button', options };
      break;
    }
    case 'list': {
      const options: ReplyOption[] = [];
      lines.push(`*${interactive.action.button}*`);
      for (const section of interactive.action.sections) {
        if (section.title) lines.push(`_${section.title}_`);
        for (const row of section.rows) {
          const option: ReplyOption = { n: options.length + 1, id: row.id, title: row.title, ...(row.description ? { description: row.description } : {}) };
          options.push(option);
          lines.push(`${option.n}. ${row.title}${row.description ? ` — ${row.description}` : ''}`);
        }
      }
      replyOptions = { kind: 'list', options };
      break;
    }
    case 'cta_url':
      lines.push(`${interactive.action.parameters.display_text}: ${interactive.action.parameters.url}`);
      break;
    case 'product':
      lines.push(`Product: ${interactive.action.product_retailer_id}`);
      break;
    case 'product_list':
      for (const section of interactive.action.sections) {
        if (section.title) lines.push(`_${section.title}_`);
        lines.push(...section.product_items.map((p) => `• ${p.product_retailer_id}`));
      }
      break;
    case 'carousel': {
      const options: ReplyOption[] = [];
      const cards: string[] = [];
      interactive.action.cards.forEach((card, i) => {
        const cardLines = [`*${i + 1}.* ${card.body?.text ?? ''}`.trimEnd()];
        const cta = card.action?.parameters;
        if (cta?.display_text && cta.url) cardLines.push(`${cta.display_text}: ${cta.url}`);
        for (const b of card.action?.buttons ?? []) {
          const reply = b.quick_reply ?? b.reply;
          if (!reply?.title) continue;
          const option: ReplyOption = { n: options.length + 1, id: reply.id ?? reply.title, title: reply.title };
          options.push(option);
          cardLines.push(`${option.n}. ${option.title}`);
        }
        cards.push(cardLines.join('\n'));
      });
      // One blank line between cards.
      lines.push(cards.join('\n\n'));
      if (options.length) replyOptions = { kind: 'button', options };
      break;
    }
    default:
      // flow, catalog_message, location_request_message, address_message, voice_call,
      // call_permission_request: WhatsApp Web has nothing to open, fill or tap, so the text
      // (header, body, footer) is what arrives; the contact answers, shares a location or
      // address, or calls by hand.
      break;
  }
  const text = composeText({ header: headerText, body: interactive.body?.text ?? '', footer: interactive.footer?.text, options: lines });
  return rendered(text, headerMedia, replyOptions);
}

// ------------------------------------------------------------------ contacts

/** One Cloud API contact object as a vCard 3.0 (what WhatsApp carries for contacts). */
export function toVcard(contact: CloudApiContact): string {
  const { name, org } = contact;
  return buildVcard({
    formattedName: name.formatted_name,
    name: { last: name.last_name, first: name.first_name, middle: name.middle_name, prefix: name.prefix, suffix: name.suffix },
    org,
    phones: (contact.phones ?? []).flatMap((p) => {
      const number = p.phone ?? (p.wa_id ? `+${p.wa_id}` : undefined);
      if (!number) return [];
      return [{ number, waId: p.wa_id ?? (number.replace(/\D/g, '') || undefined), types: [p.type ?? 'CELL'] }];
    }),
    emails: (contact.emails ?? []).flatMap((e) => (e.email ? [{ address: e.email, type: e.type ?? 'INTERNET' }] : [])),
    addresses: (contact.addresses ?? []).map((a) => ({ ...a, type: a.type ?? 'HOME' })),
    urls: (contact.urls ?? []).flatMap((u) => (u.url ? [{ url: u.url, type: u.type ?? 'WORK' }] : [])),
    birthday: contact.birthday,
  });
}
