import type { SchemaObject } from 'ajv';
import { MESSAGE_TYPES } from '../message-content';

const text = (maxLength?: number, minLength?: number) => ({ type: 'string', ...(minLength ? { minLength } : {}), ...(maxLength ? { maxLength } : {}) });
/** class-validator's IsUUID() ("all"): versions 1–8 with the RFC variant, nil and max. */
const UUID = '^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$';

/**
 * The JSON bodies of `POST /api/messages/send` that SendMessageDto certainly accepts, as a JSON
 * schema compiled once by ajv: the enqueue path's validation in one generated function.
 *
 * SendMessageDto stays the source of truth (Swagger documents it; its class-validator rules
 * decide every body this schema does not accept and write the errors). The schema states the
 * same rules for the common sends and may only be stricter: a `location` (class-validator's
 * latitude check is textual, not a range), a multipart field that its transform turns into a
 * list, number or object, `null`s and unknown keys all fall through to the DTO.
 * `send-message.schema.spec.ts` keeps the two from drifting: the same property names, and no
 * body (generated) that the schema accepts and the DTO refuses.
 */
export const SEND_MESSAGE_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['sessionId', 'to', 'type'],
  properties: {
    sessionId: text(200, 1),
    to: text(64, 1),
    type: { type: 'string', enum: [...MESSAGE_TYPES] },
    text: text(65536),
    url: text(4096),
    data: text(),
    mediaId: { type: 'string', pattern: UUID },
    caption: text(4096),
    fileName: text(256),
    mimeType: text(128),
    quotedMessageId: text(128),
    mentions: { type: 'array', maxItems: 256, items: text(64) },
    idempotencyKey: text(200, 1),
    contact: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'phone'],
      properties: { name: text(256, 1), phone: text(32, 1), organization: text(256), email: text(256) },
    },
    vcard: text(16384),
    voice: text(64),
    speed: { type: 'number', minimum: 0.25, maximum: 4 },
    instructions: text(4096),
  },
};

/** Properties of SendMessageDto the schema leaves to class-validator on purpose (see above). */
export const SEND_MESSAGE_DTO_ONLY = ['location'] as const;
