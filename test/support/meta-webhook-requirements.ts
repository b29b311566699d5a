/**
 * What real Cloud API webhook consumers read from a payload, per client and version, taken
 * from their source (PyPI and RubyGems cannot be reached from here, so these clients cannot
 * run; their parsers' key accesses are written down instead). A path listed here is read with
 * a plain index (`data["key"]` in Python, `[:key]` / `dig` in Ruby): when it is missing, the
 * client raises (pywa logs "Failed to construct update" and drops the update) or stores
 * nothing useful (Chatwoot creates no contact, no attachment, no reply link).
 *
 * Paths are dotted from the request body; `value.` abbreviates `entry.0.changes.0.value.`, and
 * `M` abbreviates `value.messages.0`, `S` abbreviates `value.statuses.0`. `<media>` stands for
 * the message's type key (image, video, audio, document, sticker).
 *
 * Sources (read at these versions):
 * - pywa 4.x: tag 4.4.0 (also checked 4.0.0) of github.com/david-lev/pywa —
 *   pywa/server.py (_handle_messages_field: routing on `type`, `interactive.type`,
 *   `recipient_type`; `_call_handlers` catches the construction error and drops the update),
 *   pywa/types/message.py (Message.from_update, _resolve_msg_content),
 *   pywa/types/user.py (User.from_contact: `data["user_id"]` — required since 4.0),
 *   pywa/types/media.py (_get_arrived_media_dict: `id`, `sha256`, `mime_type` required),
 *   pywa/types/others.py (Metadata, Reaction, Location, ContactList/Contact.Name, ReplyToMessage),
 *   pywa/types/callback.py (CallbackButton, CallbackSelection), pywa/types/message_status.py
 *   (MessageStatus.from_update reads `value["contacts"][0]` for statuses too, Conversation,
 *   Pricing), pywa/errors.py (WhatsAppError.from_dict: `code`, `message`).
 * - pywa 3.x: tags 3.9.0 and 3.0.0 — pywa/types/others.py (User.from_dict: `data["wa_id"]`,
 *   ReplyToMessage: `data["id"]` and `data["from"]`), pywa/types/message.py (falls back to
 *   `messages[0].from` when `contacts` is missing), pywa/types/callback.py (button and list
 *   replies read `msg["context"]` unconditionally), pywa/types/media.py (3.0.0: dataclass
 *   fields without defaults, so `sticker.animated` and `audio.voice` are required),
 *   pywa/types/message_status.py (`status["recipient_id"]`).
 * - Chatwoot (github.com/chatwoot/chatwoot, WhatsApp Cloud provider):
 *   app/services/whatsapp/incoming_message_whatsapp_cloud_service.rb (processed_params =
 *   `entry[0].changes[0].value`; media fetched by `<media>[:id]`),
 *   app/services/whatsapp/incoming_message_base_service.rb (set_contact: `contacts[0].wa_id`,
 *   `profile.name`, `messages[0].from`; create_message: `messages[0].id`; attach_location;
 *   attach_contact; process_statuses / update_message_with_status: `statuses[0].id`, `status`,
 *   `errors[0].code`, `errors[0].title`),
 *   app/services/whatsapp/incoming_message_service_helpers.rb (message_content: `text.body`,
 *   `button.text`, `interactive.button_reply.title`, `interactive.list_reply.title`,
 *   contacts' `name.formatted_name`; process_in_reply_to: `context.id`; reaction and
 *   unsupported are skipped by type), and the business-scoped-id aware
 *   app/services/whatsapp/incoming_message_identifier_helper.rb (`contacts[0].user_id` /
 *   `parent_user_id`, `messages[0].from_user_id`, `statuses[0].recipient_user_id`).
 */

export type WebhookKind =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'voice'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'reaction'
  | 'reply'
  | 'forwarded'
  | 'button_reply'
  | 'list_reply'
  | 'template_button'
  | 'unsupported'
  | 'status_sent'
  | 'status_delivered'
  | 'status_read'
  | 'status_failed';

export const MESSAGE_KINDS: readonly WebhookKind[] = [
  'text', 'image', 'video', 'audio', 'voice', 'document', 'sticker', 'location', 'contacts', 'reaction', 'reply', 'forwarded',
  'button_reply', 'list_reply', 'template_button', 'unsupported',
];
export const STATUS_KINDS: readonly WebhookKind[] = ['status_sent', 'status_delivered', 'status_read', 'status_failed'];

export interface ClientRequirements {
  client: string;
  /** Versions (tags) whose source these paths come from. */
  versions: string;
  /** Paths every payload of the kind must have. */
  paths: Record<WebhookKind, readonly string[]>;
}

const MEDIA_KINDS = ['image', 'video', 'audio', 'voice', 'document', 'sticker'] as const;
const mediaKey = (kind: WebhookKind) => (kind === 'voice' ? 'audio' : kind);

function build(common: readonly string[], statusCommon: readonly string[], specific: Partial<Record<WebhookKind, readonly string[]>>): Record<WebhookKind, readonly string[]> {
  const paths = {} as Record<WebhookKind, readonly string[]>;
  for (const kind of MESSAGE_KINDS) paths[kind] = [...common, ...(specific[kind] ?? [])];
  for (const kind of STATUS_KINDS) paths[kind] = [...statusCommon, ...(specific[kind] ?? [])];
  return paths;
}

const media = (extra: (kind: WebhookKind) => readonly string[]) =>
  Object.fromEntries(MEDIA_KINDS.map((k) => [k, [`M.${mediaKey(k)}.id`, `M.${mediaKey(k)}.mime_type`, `M.${mediaKey(k)}.sha256`, ...extra(k)]]));

/** pywa 4.x (4.0.0 … 4.4.0). */
export const PYWA_4: ClientRequirements = {
  client: 'pywa',
  versions: '4.0.0 – 4.4.0',
  paths: build(
    // message.py Message.from_update; user.py User.from_contact; others.py Metadata
    ['entry.0.id', 'entry.0.changes.0.field', 'value.metadata.display_phone_number', 'value.metadata.phone_number_id', 'value.contacts.0.user_id', 'M.id', 'M.type', 'M.timestamp'],
    // message_status.py MessageStatus.from_update (contacts[0] with user_id, as for messages)
    ['entry.0.id', 'entry.0.changes.0.field', 'value.metadata.display_phone_number', 'value.metadata.phone_number_id', 'value.contacts.0.user_id', 'S.id', 'S.status', 'S.timestamp'],
    {
      text: ['M.text.body'],
      ...media(() => []),
      location: ['M.location.latitude', 'M.location.longitude'],
      contacts: ['M.contacts.0.name.formatted_name'],
      reaction: ['M.reaction.message_id'],
      reply: ['M.context.id'],
      forwarded: [],
      // callback.py CallbackButton / CallbackSelection; server.py routes on interactive.type
      button_reply: ['M.interactive.type', 'M.interactive.button_reply.id', 'M.interactive.button_reply.title'],
      list_reply: ['M.interactive.type', 'M.interactive.list_reply.id', 'M.interactive.list_reply.title', 'M.context.id'],
      template_button: ['M.button.text', 'M.button.payload'],
      // errors.py WhatsAppError.from_dict
      unsupported: ['M.errors.0.code', 'M.errors.0.message'],
      // Conversation.from_dict / Pricing.from_dict read these when the objects are present
      status_sent: ['S.conversation.id', 'S.conversation.origin.type', 'S.pricing.pricing_model', 'S.pricing.category'],
      status_delivered: ['S.conversation.id', 'S.conversation.origin.type', 'S.pricing.pricing_model', 'S.pricing.category'],
      status_failed: ['S.errors.0.code', 'S.errors.0.message'],
    },
  ),
};

/** pywa 3.x (3.0.0 … 3.9.0). */
export const PYWA_3: ClientRequirements = {
  client: 'pywa',
  versions: '3.0.0 – 3.9.0',
  paths: build(
    // others.py User.from_dict (wa_id; message.py falls back to messages[0].from without contacts)
    ['entry.0.id', 'entry.0.changes.0.field', 'value.metadata.display_phone_number', 'value.metadata.phone_number_id', 'value.contacts.0.wa_id', 'M.from', 'M.id', 'M.type', 'M.timestamp'],
    // message_status.py: the user is built from recipient_id
    ['entry.0.id', 'entry.0.changes.0.field', 'value.metadata.display_phone_number', 'value.metadata.phone_number_id', 'S.id', 'S.status', 'S.timestamp', 'S.recipient_id'],
    {
      text: ['M.text.body'],
      // 3.0.0 media dataclasses: animated / voice have no default
      ...media((k) => (k === 'sticker' ? ['M.sticker.animated'] : k === 'audio' || k === 'voice' ? ['M.audio.voice'] : [])),
      location: ['M.location.latitude', 'M.location.longitude'],
      contacts: ['M.contacts.0.name.formatted_name'],
      reaction: ['M.reaction.message_id'],
      // others.py ReplyToMessage: id and from
      reply: ['M.context.id', 'M.context.from'],
      forwarded: [],
      button_reply: ['M.interactive.type', 'M.interactive.button_reply.id', 'M.interactive.button_reply.title', 'M.context.id', 'M.context.from'],
      list_reply: ['M.interactive.type', 'M.interactive.list_reply.id', 'M.interactive.list_reply.title', 'M.context.id', 'M.context.from'],
      template_button: ['M.button.text', 'M.button.payload', 'M.context.id', 'M.context.from'],
      unsupported: ['M.errors.0.code', 'M.errors.0.message'],
      status_sent: ['S.conversation.id', 'S.conversation.origin.type', 'S.pricing.pricing_model', 'S.pricing.category'],
      status_delivered: ['S.conversation.id', 'S.conversation.origin.type', 'S.pricing.pricing_model', 'S.pricing.category'],
      status_failed: ['S.errors.0.code', 'S.errors.0.message'],
    },
  ),
};

/** Chatwoot's WhatsApp Cloud inbox (incoming_message_base_service.rb and helpers). */
export const CHATWOOT: ClientRequirements = {
  client: 'chatwoot',
  versions: 'v4.x (incoming_message_base_service.rb with incoming_message_identifier_helper.rb)',
  paths: build(
    // set_contact / set_contact_from_message; create_message; message_type. user_id and
    // from_user_id are read with `.presence` (the contact falls back to the number), but
    // without them a Chatwoot that knows business-scoped ids anchors the contact differently
    // from a Meta-connected inbox, so they are required here.
    ['value.contacts.0.wa_id', 'value.contacts.0.profile.name', 'value.contacts.0.user_id', 'M.from', 'M.from_user_id', 'M.id', 'M.type'],
    // process_statuses; status_source_ids
    ['S.id', 'S.status', 'S.recipient_user_id'],
    {
      text: ['M.text.body'],
      // download_attachment_file: GET /{media id} (caption read when present)
      ...Object.fromEntries(MEDIA_KINDS.map((k) => [k, [`M.${mediaKey(k)}.id`]])),
      location: ['M.location.latitude', 'M.location.longitude'],
      contacts: ['M.contacts.0.phones.0.phone', 'M.contacts.0.name.formatted_name'],
      reaction: ['M.reaction.message_id'],
      reply: ['M.context.id'],
      forwarded: [],
      button_reply: ['M.interactive.button_reply.title'],
      list_reply: ['M.interactive.list_reply.title'],
      template_button: ['M.button.text'],
      // error_webhook_event? / log_error
      unsupported: ['M.errors.0.title'],
      status_failed: ['S.errors.0.code', 'S.errors.0.title'],
    },
  ),
};

export const CLIENT_REQUIREMENTS: readonly ClientRequirements[] = [PYWA_4, PYWA_3, CHATWOOT];

function expand(path: string): string[] {
  return path
    .replace(/^M\./, 'value.messages.0.')
    .replace(/^S\./, 'value.statuses.0.')
    .replace(/^value\./, 'entry.0.changes.0.value.')
    .split('.');
}

/** The value at a requirement path (undefined when any step is missing). */
export function valueAt(body: unknown, path: string): unknown {
  let node: unknown = body;
  for (const key of expand(path)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The requirement paths of `kind` a payload lacks (null and undefined count as missing), per client. */
export function missingFor(body: unknown, kind: WebhookKind): string[] {
  const missing: string[] = [];
  for (const req of CLIENT_REQUIREMENTS) {
    for (const path of req.paths[kind]) {
      const v = valueAt(body, path);
      if (v === undefined || v === null) missing.push(`${req.client} ${req.versions}: ${path}`);
    }
  }
  return missing;
}
