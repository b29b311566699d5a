import { Injectable, type PipeTransform } from '@nestjs/common';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { CloudApiError } from './cloud-api.errors';
import {
  CLOUD_API_REQUEST_SCHEMA,
  MEDIA_TYPES,
  MESSAGE_TYPES,
  mediaSchema,
  type CloudApiInteractive,
  type CloudApiMediaObject,
  type CloudApiMediaType,
  type CloudApiRequest,
} from './dto/cloud-api-request.schema';
import { isObject } from './graph-values';

/**
 * Validation of Cloud API request bodies: the schemas of `dto/cloud-api-request.schema.ts`,
 * compiled once, and the one place their failures become Meta's error codes and texts.
 * Like Graph, it tolerates unknown keys and null optionals and takes numbers for strings.
 */
const ajv = new Ajv({
  allErrors: false,
  verbose: true,
  coerceTypes: true,
  discriminator: true,
  strictTypes: false,
  strictRequired: false,
  keywords: ['metaCode', 'metaMessage', 'metaRequired'],
});
const validateRequest = ajv.compile(CLOUD_API_REQUEST_SCHEMA);
const validateMedia = Object.fromEntries(MEDIA_TYPES.map((t) => [t, ajv.compile(mediaSchema(t))])) as Record<CloudApiMediaType, ValidateFunction>;

/**
 * A `POST /{phone-number-id}/messages` body, validated the way Meta does: 100 for bad Graph
 * parameters, 131008 for a missing field of the typed object, 131009 for a bad value, 131051
 * for what cannot be delivered.
 * @throws CloudApiError
 */
export function parseCloudApiRequest(body: unknown): CloudApiRequest {
  const request = normalizeRequest(body);
  if (!validateRequest(request)) throw metaErrorOf(validateRequest.errors ?? [], '');
  const valid = request as CloudApiRequest;
  if ('type' in valid && valid.type === 'interactive') checkInteractive(valid.interactive);
  return valid;
}

/** A Meta media object of a template header parameter (`path` names it in errors). */
export function parseMediaObject(type: CloudApiMediaType, value: unknown, path: string): CloudApiMediaObject {
  const validate = validateMedia[type];
  const media = prune(value);
  if (!validate(media)) throw metaErrorOf(validate.errors ?? [], path);
  return media as CloudApiMediaObject;
}

/** The pipe of the send route: controllers receive a validated request. */
@Injectable()
export class CloudApiRequestPipe implements PipeTransform<unknown, CloudApiRequest> {
  transform(body: unknown): CloudApiRequest {
    return parseCloudApiRequest(body);
  }
}

// ------------------------------------------------------------------ normalizing

/**
 * What Graph accepts beyond JSON Schema: object parameters sent as JSON text, nulls and blank
 * strings for absent values, a missing `type` meaning text. Template components are left as
 * sent (the renderer reads them against the stored template).
 */
function normalizeRequest(body: unknown): unknown {
  if (!isObject(body)) return body;
  const raw = parseNested(body, SEND_TREE, '') as Record<string, unknown>;
  const type = raw.type === undefined || raw.type === null ? 'text' : raw.type;
  const components = isObject(raw.template) ? raw.template.components : undefined;
  const request = prune(raw) as Record<string, unknown>;
  if (request.status === undefined) request.type = type;
  if (components !== undefined && components !== null && isObject(request.template)) request.template.components = components;
  return request;
}

/** Meta's objects and arrays inside a send, by key: where a JSON text is read as the object it spells. */
type NestTree = { [key: string]: NestTree };
const LEAF: NestTree = {};
const MEDIA_OBJECTS: NestTree = { image: LEAF, video: LEAF, document: LEAF };
const INTERACTIVE_ACTION: NestTree = {
  buttons: { '*': { reply: LEAF, parameters: LEAF } },
  sections: { '*': { rows: { '*': LEAF }, product_items: { '*': LEAF } } },
  parameters: { flow_action_payload: { data: LEAF }, values: LEAF, saved_addresses: { '*': LEAF }, validation_errors: LEAF },
  cards: { '*': { header: MEDIA_OBJECTS, body: LEAF, action: LEAF } },
};
const TEMPLATE_PARAMETER: NestTree = { ...MEDIA_OBJECTS, location: LEAF, currency: LEAF, date_time: LEAF, action: { product_items: { '*': LEAF } }, product: LEAF, limited_time_offer: LEAF };
const SEND_TREE: NestTree = {
  context: LEAF,
  typing_indicator: LEAF,
  text: LEAF,
  image: LEAF,
  video: LEAF,
  audio: LEAF,
  document: LEAF,
  sticker: LEAF,
  location: LEAF,
  reaction: LEAF,
  contacts: { '*': { name: LEAF, org: LEAF, phones: { '*': LEAF }, emails: { '*': LEAF }, addresses: { '*': LEAF }, urls: { '*': LEAF } } },
  interactive: { header: MEDIA_OBJECTS, body: LEAF, footer: LEAF, action: INTERACTIVE_ACTION },
  template: {
    language: LEAF,
    components: { '*': { parameters: { '*': TEMPLATE_PARAMETER }, cards: { '*': { components: { '*': { parameters: { '*': TEMPLATE_PARAMETER } } } } } } },
  },
};
const JSON_TEXT = /^\s*[[{]/;

/**
 * A copy of `value` where every object or array parameter that arrived as JSON text (form
 * posts do that, Chatwoot serialises `interactive.action`, whatsapp-api-js `contacts`) is
 * parsed, at the places of `tree` only: a text that merely looks like JSON elsewhere (a message
 * body) stays text. JSON text that does not parse is Graph's 100, naming the parameter.
 * @throws CloudApiError 100
 */
function parseNested(value: unknown, tree: NestTree, path: string): unknown {
  if (Array.isArray(value)) {
    const items = tree['*'];
    return items ? value.map((item, i) => parseNested(readJson(item, `${path}[${i}]`), items, `${path}[${i}]`)) : value;
  }
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const key of Object.keys(tree)) {
    if (key === '*' || out[key] === undefined || out[key] === null) continue;
    const at = path ? `${path}['${key}']` : key;
    out[key] = parseNested(readJson(out[key], at), tree[key], at);
  }
  return out;
}

function readJson(value: unknown, path: string): unknown {
  if (typeof value !== 'string' || !JSON_TEXT.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new CloudApiError(100, `Param ${path} is a JSON string that does not parse; send it as an object or as valid JSON text.`);
  }
}

const NOT_BLANK = /\S/;
/** No schema reaches deeper; below this, values are kept as sent. */
const PRUNE_DEPTH = 16;

/** A copy without nulls and blank strings (Graph treats both as absent). */
function prune(v: unknown, depth = 0): unknown {
  if (depth > PRUNE_DEPTH) return v;
  if (Array.isArray(v)) return v.map((item) => prune(item, depth + 1));
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const value = v[key];
    if (key === '__proto__' || value === null || value === undefined || (typeof value === 'string' && !NOT_BLANK.test(value))) continue;
    out[key] = prune(value, depth + 1);
  }
  return out;
}

// ------------------------------------------------------------------ Meta's errors

interface MetaAnnotations {
  metaCode?: number | Record<string, number>;
  metaMessage?: string | Record<string, string>;
  metaRequired?: Record<string, string>;
}

/**
 * The first failure as Meta words it. Applicators report their branches' errors before their
 * own: an `anyOf` failure is the `anyOf` error (the last), a failed `then` is its first error.
 */
function metaErrorOf(errors: ErrorObject[], root: string): CloudApiError {
  const error = [...errors].reverse().find((e) => e.keyword !== 'if') ?? errors[0];
  if (!error) return new CloudApiError(100, 'Invalid parameter');
  const meta = (error.parentSchema ?? {}) as MetaAnnotations;
  const path = metaPath(root, error.instancePath ?? '');
  const fill = (text: string) => text.replaceAll('{path}', path).replace(/\{value\}/g, () => shown(error.data));
  const pick = <T>(v: T | Record<string, T> | undefined): T | undefined => (isObject(v) ? (v as Record<string, T>)[error.keyword] : v);
  if (error.keyword === 'required') {
    const property = (error.params as { missingProperty: string }).missingProperty;
    const text = meta.metaRequired?.[property] ?? pick(meta.metaMessage) ?? `The parameter ${metaPath(path, `/${property}`)} is required.`;
    return new CloudApiError(pick(meta.metaCode) ?? 131008, fill(text));
  }
  return new CloudApiError(pick(meta.metaCode) ?? 131009, fill(pick(meta.metaMessage) ?? defaultMessage(error, path)));
}

function defaultMessage(error: ErrorObject, path: string): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const type = String(params.type);
      return `Param ${path} must be ${type === 'object' ? 'a JSON object' : type === 'array' ? 'an array' : `a ${type}`}.`;
    }
    case 'maxLength':
      return `Param ${path} must be at most ${String(params.limit)} characters long.`;
    case 'enum':
    case 'const': {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [params.allowedValue];
      return `Param ${path} must be one of {${allowed.map((v) => String(v).toUpperCase()).join(', ')}} - got "${shown(error.data)}".`;
    }
    default:
      return `Param ${path} ${error.message ?? 'is not valid'}.`;
  }
}

/** A value as error texts quote it; objects and arrays by their kind (they can be nested without bound). */
function shown(v: unknown): string {
  return typeof v === 'object' && v !== null ? Object.prototype.toString.call(v) : String(v);
}

/** `/interactive/action/buttons/0` → `interactive['action']['buttons'][0]`, after `root`. */
function metaPath(root: string, instancePath: string): string {
  const segments = instancePath.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  return segments.reduce((path, s) => (!path ? s : /^\d+$/.test(s) ? `${path}[${s}]` : `${path}['${s}']`), root);
}

// ------------------------------------------------------------------ rules across items

/** What JSON Schema cannot say: unique button ids and titles, unique rows, at most 10 rows in all. */
function checkInteractive(interactive: CloudApiInteractive): void {
  const unique = (values: string[], details: string) => {
    if (new Set(values).size !== values.length) throw new CloudApiError(131009, details);
  };
  if (interactive.type === 'button') {
    const replies = interactive.action.buttons.map((b) => b.reply);
    unique(replies.map((r) => r.id), 'Button ids must be unique.');
    unique(replies.map((r) => r.title), 'Button titles must be unique.');
  } else if (interactive.type === 'list') {
    const rows = interactive.action.sections.flatMap((s) => s.rows);
    if (rows.length > 10) throw new CloudApiError(131009, 'Total row count exceed max allowed count: 10');
    unique(rows.map((r) => r.id), 'Row ids must be unique.');
  }
}
