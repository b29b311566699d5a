/**
 * The body of `POST /{phone-number-id}/messages` as JSON Schemas, compiled once by
 * `cloud-api-request.validation.ts`. A send is a union discriminated by `type`; a body with
 * `status` marks a message read. Besides JSON Schema keywords, nodes carry how Meta words a
 * failure at that node (read by `metaErrorOf`):
 * - `metaCode`: the Meta code for errors at this node (default 131008 for a missing property,
 *   131009 for a bad value; the envelope uses Graph's 100);
 * - `metaMessage`: the details text, for every error at the node or per keyword;
 * - `metaRequired`: the details text per missing property.
 * In texts, `{path}` is the node's path in Meta's notation (`interactive['action']`) and
 * `{value}` the value sent. Blank strings and nulls count as absent (see `normalizeRequest`).
 */

type Schema = Record<string, unknown>;

export const MESSAGE_TYPES = ['audio', 'contacts', 'document', 'image', 'interactive', 'location', 'reaction', 'sticker', 'template', 'text', 'video'] as const;
export type CloudApiMessageType = (typeof MESSAGE_TYPES)[number];
/** Meta's types WhatsApp Web has no way to carry. */
const UNSUPPORTED_TYPES = ['order', 'product', 'catalog', 'system', 'button', 'unknown'];
export const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type CloudApiMediaType = (typeof MEDIA_TYPES)[number];
/** Every interactive type Meta documents; what WhatsApp Web cannot render is degraded (see `renderInteractive`). */
export const INTERACTIVE_TYPES = [
  'button',
  'list',
  'cta_url',
  'location_request_message',
  'product',
  'product_list',
  'catalog_message',
  'flow',
  'address_message',
  'voice_call',
  'call_permission_request',
  'carousel',
] as const;
/** Interactive types whose body Meta does not require. */
const BODY_OPTIONAL = ['product'];

const HTTP_URI = '^[Hh][Tt][Tt][Pp][Ss]?://\\S+$';
const string = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const object = (properties: Schema, extra: Schema = {}): Schema => ({ type: 'object', properties, ...extra });
/** Only when `key` equals `value`: lets one object schema branch on its own `type`. */
const when = (key: string, value: string, then: Schema): Schema => ({ if: { required: [key], properties: { [key]: { const: value } } }, then });

// ------------------------------------------------------------------ typed objects

/** A Meta media object (`{id|link, caption?, filename?}`) for a message or a header. */
export function mediaSchema(type: string): Schema {
  const captioned = type === 'image' || type === 'video' || type === 'document';
  return {
    type: 'object',
    allOf: [
      { anyOf: [{ required: ['id'] }, { required: ['link'] }], metaCode: 131008, metaMessage: "The parameter {path}['id'] or {path}['link'] is required." },
      { not: { required: ['id', 'link'] }, metaMessage: 'Param {path} must have either id or link, not both.' },
      {
        properties: {
          id: string(),
          link: string({ pattern: HTTP_URI, metaMessage: 'Param {path} is not a valid URI.' }),
          ...(captioned ? { caption: string({ maxLength: 1024 }) } : {}),
          ...(type === 'document' ? { filename: string() } : {}),
        },
      },
    ],
  };
}

const TEXT = object({ body: string({ maxLength: 4096 }) }, { required: ['body'] });

const coordinate = (limit: number): Schema => ({ type: 'number', minimum: -limit, maximum: limit, metaMessage: `Param {path} must be a number between -${limit} and ${limit}.` });
const LOCATION: Schema = {
  type: 'object',
  allOf: [
    { required: ['latitude'], properties: { latitude: coordinate(90) } },
    { required: ['longitude'], properties: { longitude: coordinate(180) } },
    { properties: { name: string({ maxLength: 1000 }), address: string({ maxLength: 1000 }) } },
  ],
};

const typedList = (fields: Schema): Schema => ({ type: 'array', items: object(fields) });
const CONTACT: Schema = {
  type: 'object',
  metaMessage: { type: 'Param {path} must be an object.' },
  required: ['name'],
  metaRequired: { name: "The parameter {path}['name']['formatted_name'] is required." },
  properties: {
    name: object(
      { formatted_name: string(), first_name: string(), last_name: string(), middle_name: string(), prefix: string(), suffix: string() },
      { required: ['formatted_name'], metaCode: { type: 131008 }, metaMessage: { type: "The parameter {path}['formatted_name'] is required." } },
    ),
    org: object({ company: string(), department: string(), title: string() }),
    phones: typedList({ phone: string(), type: string(), wa_id: string() }),
    emails: typedList({ email: string(), type: string() }),
    addresses: typedList({ street: string(), city: string(), state: string(), zip: string(), country: string(), country_code: string(), type: string() }),
    urls: typedList({ url: string(), type: string() }),
    birthday: string(),
  },
};
const CONTACTS: Schema = {
  type: 'array',
  allOf: [
    { minItems: 1, metaCode: 131008, metaMessage: 'The parameter contacts is required.' },
    { maxItems: 257, metaMessage: 'Param contacts must have at most 257 contacts.' },
    { items: CONTACT },
  ],
  metaCode: { type: 131008 },
  metaMessage: { type: 'The parameter contacts is required.' },
};

const REACTION = object({ message_id: string(), emoji: string({ maxLength: 10, metaMessage: { maxLength: 'Param {path} must be a single emoji.' } }) }, { required: ['message_id'] });

const TEMPLATE: Schema = {
  type: 'object',
  allOf: [
    { required: ['name'], properties: { name: string() } },
    {
      required: ['language'],
      metaRequired: { language: "The parameter {path}['language']['code'] is required." },
      properties: { language: object({ code: string() }, { required: ['code'], metaCode: 131008, metaMessage: { type: "The parameter {path}['code'] is required." } }) },
    },
    // Components are checked against the stored template by the renderer.
    { properties: { components: { type: 'array', metaMessage: 'Param {path} must be an array.' } } },
  ],
};

// ------------------------------------------------------------------ interactive

const BUTTONS_COUNT = 'Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3';
const SECTIONS_COUNT = 'Invalid sections count. Min allowed sections: 1, Max allowed sections: 10';
const HEADER_MEDIA = ['image', 'video', 'document'];

const HEADER: Schema = {
  type: 'object',
  metaMessage: { type: 'Param {path} must be an object.' },
  ...when('type', 'text', { required: ['text'], properties: { text: string({ maxLength: 60 }) } }),
};
/** The header type and media, checked after the list rule (a list takes a text header only). */
const HEADER_TYPE: Schema = {
  allOf: [
    {
      required: ['type'],
      metaCode: 131009,
      metaRequired: { type: 'Param {path}[\'type\'] must be one of {TEXT, IMAGE, VIDEO, DOCUMENT} - got "undefined".' },
      properties: { type: { enum: ['text', ...HEADER_MEDIA] } },
    },
    ...HEADER_MEDIA.map((t) => when('type', t, { required: [t], metaCode: 131009, metaRequired: { [t]: `Param {path}['${t}'] must be a JSON object.` } })),
    { properties: Object.fromEntries(HEADER_MEDIA.map((t) => [t, mediaSchema(t)])) },
  ],
};

const REPLY_BUTTON = object(
  { reply: object({ id: string(), title: string({ maxLength: 20, metaMessage: 'Button title length is too long. Max length allowed: 20' }) }, { required: ['id', 'title'] }) },
  { required: ['reply'], metaRequired: { reply: "The parameter {path}['reply']['id'] is required." } },
);
const BUTTON_ACTION: Schema = {
  allOf: [
    { required: ['buttons'], metaCode: 131009, metaRequired: { buttons: BUTTONS_COUNT } },
    { properties: { buttons: { type: 'array', minItems: 1, maxItems: 3, metaMessage: BUTTONS_COUNT, items: REPLY_BUTTON } } },
  ],
};

const ROWS: Schema = {
  type: 'array',
  minItems: 1,
  metaCode: 131008,
  metaMessage: 'The parameter {path} is required.',
  items: object({ id: string(), title: string(), description: string() }, { required: ['id', 'title'] }),
};
const LIST_ACTION: Schema = {
  allOf: [
    { required: ['button'], properties: { button: string() } },
    { required: ['sections'], metaCode: 131009, metaRequired: { sections: SECTIONS_COUNT } },
    { properties: { sections: { type: 'array', minItems: 1, maxItems: 10, metaMessage: SECTIONS_COUNT, items: object({ title: string(), rows: ROWS }, { required: ['rows'] }) } } },
    // Several sections need a title each.
    { if: { properties: { sections: { minItems: 2 } } }, then: { properties: { sections: { items: { required: ['title'] } } } } },
  ],
};

const CTA_ACTION: Schema = {
  required: ['parameters'],
  metaRequired: { parameters: "The parameter {path}['parameters']['display_text'] is required." },
  properties: {
    parameters: {
      type: 'object',
      metaCode: { type: 131008 },
      metaMessage: { type: "The parameter {path}['display_text'] is required." },
      allOf: [
        { required: ['display_text'], properties: { display_text: string() } },
        { required: ['url'], metaMessage: "Param {path}['url'] is not a valid URI.", metaCode: 131009 },
        { properties: { url: string({ pattern: HTTP_URI, metaMessage: 'Param {path} is not a valid URI.' }) } },
      ],
    },
  },
};

const PRODUCT_ACTION: Schema = {
  allOf: [
    { required: ['catalog_id'], properties: { catalog_id: string() } },
    { required: ['product_retailer_id'], properties: { product_retailer_id: string() } },
  ],
};
const PRODUCT_LIST_ACTION: Schema = {
  allOf: [
    { required: ['catalog_id'], properties: { catalog_id: string() } },
    { required: ['sections'], metaCode: 131009, metaRequired: { sections: SECTIONS_COUNT } },
    {
      properties: {
        sections: {
          type: 'array',
          minItems: 1,
          maxItems: 10,
          metaMessage: SECTIONS_COUNT,
          items: object(
            { title: string(), product_items: { type: 'array', minItems: 1, items: object({ product_retailer_id: string() }, { required: ['product_retailer_id'] }) } },
            { required: ['product_items'] },
          ),
        },
      },
    },
  ],
};
const FLOW_ACTION: Schema = {
  required: ['parameters'],
  metaRequired: { parameters: "The parameter {path}['parameters']['flow_cta'] is required." },
  properties: { parameters: object({ flow_cta: string({ maxLength: 30 }), flow_id: string(), flow_name: string(), flow_token: string() }, { required: ['flow_cta'] }) },
};
const CAROUSEL_ACTION: Schema = {
  required: ['cards'],
  properties: {
    cards: {
      type: 'array',
      minItems: 1,
      maxItems: 10,
      metaMessage: 'Invalid cards count. Min allowed cards: 1, Max allowed cards: 10',
      items: object({ body: object({ text: string({ maxLength: 160 }) }), header: { type: 'object', properties: Object.fromEntries(HEADER_MEDIA.map((t) => [t, mediaSchema(t)])) }, action: { type: 'object' } }),
    },
  },
};

const INTERACTIVE: Schema = {
  type: 'object',
  allOf: [
    { required: ['type'] },
    { properties: { type: { enum: INTERACTIVE_TYPES, metaCode: 131009 } } },
    { required: ['action'], properties: { action: { type: 'object', metaCode: 131008, metaMessage: 'The parameter {path} is required.' } } },
    {
      // A button message with a header may come without a body (Typebot's picture choices do).
      if: { anyOf: [{ required: ['type'], properties: { type: { enum: BODY_OPTIONAL } } }, { required: ['type', 'header'], properties: { type: { const: 'button' } } }] },
      then: {},
      else: { required: ['body'], metaRequired: { body: "The parameter {path}['body']['text'] is required." } },
    },
    {
      properties: {
        body: object({ text: string({ maxLength: 4096 }) }, { required: ['text'], metaCode: { type: 131008 }, metaMessage: { type: "The parameter {path}['text'] is required." } }),
      },
    },
    { properties: { footer: object({ text: string() }), header: HEADER } },
    when('type', 'list', {
      properties: { header: { required: ['type'], metaRequired: { type: 'A list message supports a text header only.' }, metaCode: 131009, properties: { type: { const: 'text', metaMessage: 'A list message supports a text header only.' } } } },
    }),
    { properties: { header: HEADER_TYPE } },
    when('type', 'button', { properties: { action: BUTTON_ACTION } }),
    when('type', 'list', { properties: { action: LIST_ACTION } }),
    when('type', 'cta_url', { properties: { action: CTA_ACTION } }),
    when('type', 'product', { properties: { action: PRODUCT_ACTION } }),
    when('type', 'product_list', { properties: { action: PRODUCT_LIST_ACTION } }),
    when('type', 'flow', { properties: { action: FLOW_ACTION } }),
    when('type', 'carousel', { properties: { action: CAROUSEL_ACTION } }),
  ],
};

// ------------------------------------------------------------------ the request

const TYPED: Record<CloudApiMessageType, Schema> = {
  text: TEXT,
  image: mediaSchema('image'),
  video: mediaSchema('video'),
  audio: mediaSchema('audio'),
  document: mediaSchema('document'),
  sticker: mediaSchema('sticker'),
  location: LOCATION,
  contacts: CONTACTS,
  reaction: REACTION,
  interactive: INTERACTIVE,
  template: TEMPLATE,
};

/** Reply context and callback data: checked once the typed object is there, before it. */
const SEND_EXTRAS: Schema = {
  properties: {
    context: object({ message_id: string() }, { required: ['message_id'], metaCode: 131008, metaMessage: "The parameter context['message_id'] is required." }),
    biz_opaque_callback_data: string({ maxLength: 512, metaCode: 100 }),
  },
};

const SEND: Schema = {
  allOf: [
    { properties: { recipient_type: { enum: ['individual', 'group'], metaCode: 100 } } },
    {
      // `recipient` takes a business-scoped user id (`US.1349…`) or a phone number, instead of or with `to`.
      if: { not: { required: ['to'] } },
      then: { required: ['recipient'], metaCode: 100, metaRequired: { recipient: 'The parameter to is required.' }, properties: { recipient: string() } },
      else: { properties: { to: string(), recipient: string() } },
    },
    {
      properties: {
        type: {
          allOf: [
            { not: { enum: UNSUPPORTED_TYPES }, metaCode: 131051, metaMessage: 'Message type {value} is not supported.' },
            { enum: MESSAGE_TYPES, metaCode: 100 },
          ],
        },
      },
    },
    {
      discriminator: { propertyName: 'type' },
      oneOf: MESSAGE_TYPES.map((type) => ({
        required: ['type'],
        properties: { type: { const: type } },
        allOf: [{ required: [type] }, SEND_EXTRAS, { properties: { [type]: TYPED[type] } }],
      })),
    },
  ],
};

const READ: Schema = {
  allOf: [
    { properties: { status: { enum: ['read'], metaCode: 100 } } },
    { required: ['message_id'], metaCode: 100, properties: { message_id: string() } },
    {
      properties: {
        typing_indicator: object(
          { type: { const: 'text', metaCode: 100, metaMessage: "Param typing_indicator['type'] must be one of {TEXT}." } },
          { required: ['type'], metaCode: 100, metaMessage: "Param typing_indicator['type'] must be one of {TEXT}." },
        ),
      },
    },
  ],
};

export const CLOUD_API_REQUEST_SCHEMA: Schema = {
  $id: 'cloud-api-request',
  type: 'object',
  metaCode: 100,
  metaMessage: { type: 'The request body must be a JSON object' },
  allOf: [
    { required: ['messaging_product'], metaCode: 100, properties: { messaging_product: { enum: ['whatsapp'], metaCode: 100 } } },
    { if: { required: ['status'] }, then: READ, else: SEND },
  ],
};

// ------------------------------------------------------------------ validated shapes

export interface CloudApiMediaObject {
  id?: string;
  link?: string;
  caption?: string;
  filename?: string;
  voice?: unknown;
}

export interface CloudApiContact {
  name: { formatted_name: string; first_name?: string; last_name?: string; middle_name?: string; prefix?: string; suffix?: string };
  org?: { company?: string; department?: string; title?: string };
  phones?: { phone?: string; type?: string; wa_id?: string }[];
  emails?: { email?: string; type?: string }[];
  addresses?: { street?: string; city?: string; state?: string; zip?: string; country?: string; country_code?: string; type?: string }[];
  urls?: { url?: string; type?: string }[];
  birthday?: string;
}

export type CloudApiInteractiveHeader =
  | { type: 'text'; text: string }
  | { type: 'image'; image: CloudApiMediaObject }
  | { type: 'video'; video: CloudApiMediaObject }
  | { type: 'document'; document: CloudApiMediaObject };

interface InteractiveBase<T extends string, A> {
  type: T;
  header?: CloudApiInteractiveHeader;
  body: { text: string };
  footer?: { text?: string };
  action: A;
}

/** A carousel card: media header, short body, and a cta_url or quick-reply buttons. */
export interface CloudApiCarouselCard {
  card_index?: number;
  type?: string;
  header?: { type?: string; image?: CloudApiMediaObject; video?: CloudApiMediaObject };
  body?: { text?: string };
  action?: { name?: string; parameters?: { display_text?: string; url?: string }; buttons?: { type?: string; quick_reply?: { id?: string; title?: string }; reply?: { id?: string; title?: string } }[] };
}

export type CloudApiInteractive =
  | (Omit<InteractiveBase<'button', { buttons: { reply: { id: string; title: string } }[] }>, 'body'> & { body?: { text: string } })
  | InteractiveBase<'list', { button: string; sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[] }>
  | InteractiveBase<'cta_url', { parameters: { display_text: string; url: string } }>
  | (Omit<InteractiveBase<'product', { catalog_id: string; product_retailer_id: string }>, 'body'> & { body?: { text: string } })
  | InteractiveBase<'product_list', { catalog_id: string; sections: { title?: string; product_items: { product_retailer_id: string }[] }[] }>
  | InteractiveBase<'flow', { name?: string; parameters: { flow_cta: string; flow_id?: string; flow_name?: string; flow_token?: string } }>
  | InteractiveBase<'carousel', { cards: CloudApiCarouselCard[] }>
  | InteractiveBase<'location_request_message' | 'catalog_message' | 'address_message' | 'voice_call' | 'call_permission_request', Record<string, unknown>>;

interface TypedObjects {
  text: { body: string };
  image: CloudApiMediaObject;
  video: CloudApiMediaObject;
  audio: CloudApiMediaObject;
  document: CloudApiMediaObject;
  sticker: CloudApiMediaObject;
  location: { latitude: number; longitude: number; name?: string; address?: string };
  contacts: CloudApiContact[];
  reaction: { message_id: string; emoji?: string };
  interactive: CloudApiInteractive;
  template: { name: string; language: { code: string }; components?: unknown[] };
}

interface SendEnvelope {
  messaging_product: 'whatsapp';
  recipient_type?: 'individual' | 'group';
  to?: string;
  recipient?: string;
  context?: { message_id: string };
  biz_opaque_callback_data?: string;
}

/** A validated send: the envelope and the object its `type` names. */
export type CloudApiSendRequest = { [T in CloudApiMessageType]: SendEnvelope & { type: T } & { [K in T]: TypedObjects[T] } }[CloudApiMessageType];

export interface CloudApiReadRequest {
  messaging_product: 'whatsapp';
  status: 'read';
  message_id: string;
  typing_indicator?: { type: 'text' };
}

export type CloudApiRequest = CloudApiSendRequest | CloudApiReadRequest;
