import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import type { MessageTemplateEntity, TemplateCategory, TemplateComponent } from '../templates/entities/message-template.entity';
import { parameterFormatOf } from '../templates/template-definition';
import { TemplatesService, type TemplateScope } from '../templates/templates.service';
import { CloudApiError, GraphUnknownFieldError, graphInvalidParam } from './cloud-api.errors';
import { graphJson, isObject, str } from './graph-values';
import { WabaDirectory } from './waba-directory';

const CATEGORIES: TemplateCategory[] = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];
const NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE = /^[a-z]{2,3}(_[A-Za-z]{2,4})?$/;
const DEFAULT_FIELDS = ['name', 'parameter_format', 'components', 'language', 'status', 'category', 'id'];
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;
/** How many templates Meta lets one WABA have (reported in `summary`). */
const TEMPLATE_LIMIT = 250;
/** Meta's subcode for a name and language that already exist in the account. */
const SUBCODE_LANGUAGE_EXISTS = 2388024;

/** `GET /{waba-id}/message_templates` query, as Graph takes it. */
export interface TemplateListQuery {
  fields?: string;
  limit?: string;
  after?: string;
  before?: string;
  name?: string;
  status?: string;
  language?: string;
  category?: string;
  content?: string;
  name_or_content?: string;
  summary?: string;
}

export interface TemplateListPage {
  data: Record<string, unknown>[];
  paging: { cursors: { before: string; after: string }; next?: string; previous?: string };
  summary?: { total_count: number; message_template_count: number; message_template_limit: number; are_translations_complete: boolean };
}

/** The Graph id of a stored template: 15 digits starting with 3 (phone number ids start with 1, WABA ids with 2). */
export function templateGraphIdOf(templateId: string): string {
  const hash = createHash('sha256').update(`message-template:${templateId}`).digest();
  return `3${((hash.readBigUInt64BE(0) >> 8n) % 10n ** 14n).toString().padStart(14, '0')}`;
}

/**
 * Meta's template management (`/{waba-id}/message_templates`) over the native template
 * store. A WABA is a workspace (see `WabaDirectory`); its templates are the global ones, the
 * workspace's and those of its sessions the credential can see, all sendable by every session
 * of the workspace (a session's own first, then the workspace's, then global). Templates
 * created here belong to the workspace (to the session, for a credential bound to one
 * session; global for the account of sessions without a workspace) and are APPROVED at once:
 * there is no review, a linked device sends the rendered text.
 */
@Injectable()
export class CloudApiTemplatesService {
  constructor(
    private readonly templates: TemplatesService,
    private readonly wabas: WabaDirectory,
  ) {}

  /** @throws GraphObjectNotFoundError, GraphUnknownFieldError, CloudApiError 100 */
  async list(principal: Principal, wabaId: string, query: TemplateListQuery, pageUrl: (after: string | null, before: string | null) => string): Promise<TemplateListPage> {
    const { workspace } = await this.wabas.resolve(principal, wabaId);
    const fields = parseFields(query.fields);
    const limit = parseLimit(query.limit);
    const all = (await this.templates.listForWorkspace(principal, workspace)).filter(matches(query));
    let start = 0;
    if (query.after !== undefined) start = decodeCursor(query.after, 'after');
    else if (query.before !== undefined) start = Math.max(0, decodeCursor(query.before, 'before') - limit);
    start = Math.min(start, all.length);
    const end = query.before !== undefined && query.after === undefined ? Math.min(decodeCursor(query.before, 'before'), start + limit, all.length) : Math.min(start + limit, all.length);
    const page = all.slice(start, end);
    const out: TemplateListPage = {
      data: page.map((t) => templateNode(t, fields)),
      paging: { cursors: { before: encodeCursor(start), after: encodeCursor(end) } },
    };
    if (end < all.length) out.paging.next = pageUrl(encodeCursor(end), null);
    if (start > 0) out.paging.previous = pageUrl(null, encodeCursor(start));
    if (query.summary !== undefined && query.summary !== 'false') {
      out.summary = { total_count: all.length, message_template_count: all.length, message_template_limit: TEMPLATE_LIMIT, are_translations_complete: true };
    }
    return out;
  }

  /**
   * Creates a template in the WABA: APPROVED at once.
   * @throws GraphObjectNotFoundError, CloudApiError 100 (invalid, or subcode 2388024 when the name exists in that language), 10
   */
  async create(principal: Principal, wabaId: string, body: unknown): Promise<{ id: string; status: string; category: string }> {
    const { workspace } = await this.wabas.resolve(principal, wabaId);
    const input = parseCreate(body);
    const scope: TemplateScope = principal.sessionId ? { kind: 'session', sessionId: principal.sessionId } : workspace ? { kind: 'workspace', workspace } : { kind: 'global' };
    if (!this.templates.manages(principal, scope)) throw new CloudApiError(10, 'This token may not manage the message templates of this WhatsApp Business Account.');
    try {
      const saved = await this.templates.createIn(scope, { ...input, status: 'APPROVED' });
      return { id: templateGraphIdOf(saved.id), status: saved.status, category: saved.category };
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.TEMPLATE_EXISTS) {
        throw new CloudApiError(100, `Content in this language already exists: a template named ${input.name} in ${input.language} exists in this account.`, {
          subcode: SUBCODE_LANGUAGE_EXISTS,
        });
      }
      if (err instanceof AppError && err.code === ErrorCode.VALIDATION_FAILED) throw graphInvalidParam(err.message.replace(/^Validation failed: /, ''));
      throw err;
    }
  }

  /**
   * Deletes a template by name (every language), or one by `hsm_id` with its name.
   * @throws GraphObjectNotFoundError, CloudApiError 100 (no name, nothing matches), 10 (only templates this token may not manage)
   */
  async remove(principal: Principal, wabaId: string, name: string | undefined, hsmId: string | undefined): Promise<{ success: true }> {
    const { workspace } = await this.wabas.resolve(principal, wabaId);
    if (!name) throw graphInvalidParam('The parameter name is required.');
    const matching = (await this.templates.listForWorkspace(principal, workspace)).filter((t) => t.name === name && (!hsmId || templateGraphIdOf(t.id) === hsmId));
    if (!matching.length) throw graphInvalidParam(`Message template not found: no template named ${name}${hsmId ? ` with hsm_id ${hsmId}` : ''} in this account.`);
    // Global templates are shared by every account: only the account of sessions without a workspace deletes them.
    const managed = matching.filter((t) => {
      const scope = this.templates.scopeOf(t);
      return (scope.kind !== 'global' || workspace === null) && this.templates.manages(principal, scope);
    });
    if (!managed.length) throw new CloudApiError(10, `The template ${name} is shared by every account and cannot be deleted here.`);
    await this.templates.removeIds(managed.map((t) => t.id));
    return { success: true };
  }
}

// ------------------------------------------------------------------ reading

function parseFields(fields: string | undefined): string[] {
  if (!fields) return DEFAULT_FIELDS;
  const wanted = fields.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of wanted) if (!(f in NODE_FIELDS)) throw new GraphUnknownFieldError(f, 'WhatsAppBusinessHSM');
  return wanted.includes('id') ? wanted : [...wanted, 'id'];
}

function parseLimit(limit: string | undefined): number {
  if (limit === undefined || limit === '') return DEFAULT_LIMIT;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1) throw graphInvalidParam(`Param limit must be a positive integer - got "${limit}".`);
  return Math.min(n, MAX_LIMIT);
}

const encodeCursor = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
function decodeCursor(cursor: string, name: string): number {
  const m = /^offset:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw graphInvalidParam(`Param ${name} is not a cursor of this list.`);
  return Number(m[1]);
}

const list = (v: string | undefined) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : []);

/** Graph's filters: `name` and `content` match a part (case-insensitive), the others one of a comma-separated list. */
function matches(q: TemplateListQuery): (t: MessageTemplateEntity) => boolean {
  const statuses = list(q.status).map((s) => s.toUpperCase());
  const categories = list(q.category).map((s) => s.toUpperCase());
  const languages = list(q.language);
  const name = q.name?.toLowerCase();
  const content = q.content?.toLowerCase();
  const either = q.name_or_content?.toLowerCase();
  const bodyOf = (t: MessageTemplateEntity) => t.components.map((c) => c.text ?? '').join('\n').toLowerCase();
  return (t) =>
    (!statuses.length || statuses.includes(t.status)) &&
    (!categories.length || categories.includes(t.category)) &&
    (!languages.length || languages.includes(t.language)) &&
    (!name || t.name.includes(name)) &&
    (!content || bodyOf(t).includes(content)) &&
    (!either || t.name.includes(either) || bodyOf(t).includes(either));
}

/** Every field Graph's template node has, with the value Switchboard can give (undefined: omitted). */
const NODE_FIELDS: Record<string, (t: MessageTemplateEntity) => unknown> = {
  id: (t) => templateGraphIdOf(t.id),
  name: (t) => t.name,
  language: (t) => t.language,
  status: (t) => t.status,
  category: (t) => t.category,
  components: (t) => t.components,
  parameter_format: (t) => parameterFormatOf(t.components),
  sub_category: () => undefined,
  previous_category: () => undefined,
  correct_category: () => undefined,
  rejected_reason: () => 'NONE',
  quality_score: () => ({ score: 'UNKNOWN' }),
  cta_url_link_tracking_opted_out: () => false,
  library_template_name: () => undefined,
  message_send_ttl_seconds: () => undefined,
  last_updated_time: (t) => new Date(t.updatedAt).toISOString().replace(/\.\d{3}Z$/, '+0000'),
};

function templateNode(t: MessageTemplateEntity, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = NODE_FIELDS[f](t);
    if (v !== undefined) out[f] = v;
  }
  return out;
}

// ------------------------------------------------------------------ creating

const COMPONENT_TYPES = ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'];
const HEADER_FORMATS = ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'];

/**
 * A `POST /{waba-id}/message_templates` body (JSON, or a form with `components` as JSON text)
 * checked the way Graph does, as a definition for the native store.
 * @throws CloudApiError 100
 */
export function parseCreate(body: unknown): { name: string; language: string; category: TemplateCategory; components: TemplateComponent[] } {
  if (!isObject(body)) throw graphInvalidParam('The request body must be a JSON object or a form.');
  const name = str(body.name);
  if (!name) throw graphInvalidParam('The parameter name is required.');
  if (!NAME.test(name)) throw graphInvalidParam('Param name must be at most 512 characters and contain only lowercase letters, digits and underscores.');
  const language = str(body.language);
  if (!language) throw graphInvalidParam('The parameter language is required.');
  if (!LANGUAGE.test(language)) throw graphInvalidParam(`Param language must be a language code like en or en_US - got "${language}".`);
  const category = str(body.category)?.toUpperCase();
  if (!category) throw graphInvalidParam('The parameter category is required.');
  if (!CATEGORIES.includes(category as TemplateCategory)) throw graphInvalidParam(`Param category must be one of {${CATEGORIES.join(', ')}} - got "${category}".`);
  const format = str(body.parameter_format)?.toUpperCase();
  if (format && format !== 'POSITIONAL' && format !== 'NAMED') throw graphInvalidParam(`Param parameter_format must be one of {POSITIONAL, NAMED} - got "${format}".`);
  const raw = graphJson(body.components);
  if (!Array.isArray(raw) || raw.length === 0) throw graphInvalidParam('The parameter components is required.');
  const components = raw.map((c, i) => toComponent(graphJson(c), i));
  if (format) {
    const actual = parameterFormatOf(components);
    const hasParams = components.some((c) => /\{\{/.test(c.text ?? '') || (c.buttons ?? []).some((b) => /\{\{/.test(b.url ?? '')));
    if (hasParams && actual !== format) throw graphInvalidParam(`The placeholders are ${actual === 'NAMED' ? 'named' : 'numbered'}, but parameter_format is ${format}.`);
  }
  return { name, language, category: category as TemplateCategory, components };
}

function toComponent(c: unknown, i: number): TemplateComponent {
  if (!isObject(c)) throw graphInvalidParam(`Param components[${i}] must be an object.`);
  const type = str(c.type)?.toUpperCase();
  if (type === 'CAROUSEL' || type === 'LIMITED_TIME_OFFER') {
    throw graphInvalidParam(`Param components[${i}] type ${type} is not available: a linked device cannot send carousel or limited-time-offer templates.`);
  }
  if (!type || !COMPONENT_TYPES.includes(type)) throw graphInvalidParam(`Param components[${i}]['type'] must be one of {${COMPONENT_TYPES.join(', ')}} - got "${String(c.type)}".`);
  const out: TemplateComponent = { type: type as TemplateComponent['type'] };
  const format = str(c.format)?.toUpperCase();
  if (type === 'HEADER') {
    if (format && !HEADER_FORMATS.includes(format)) throw graphInvalidParam(`Param components[${i}]['format'] must be one of {${HEADER_FORMATS.join(', ')}} - got "${format}".`);
    out.format = (format ?? 'TEXT') as TemplateComponent['format'];
  }
  if (typeof c.text === 'string') out.text = c.text;
  const example = graphJson(c.example);
  if (isObject(example)) out.example = example;
  if (c.add_security_recommendation === true || c.add_security_recommendation === 'true') out.add_security_recommendation = true;
  if (c.code_expiration_minutes !== undefined && c.code_expiration_minutes !== null) out.code_expiration_minutes = Number(c.code_expiration_minutes);
  if (type === 'BUTTONS') {
    const buttons = graphJson(c.buttons);
    if (!Array.isArray(buttons)) throw graphInvalidParam(`Param components[${i}]['buttons'] must be an array.`);
    out.buttons = buttons.map((b, j) => {
      if (!isObject(b)) throw graphInvalidParam(`Param components[${i}]['buttons'][${j}] must be an object.`);
      const button: Record<string, unknown> = { ...b, type: str(b.type)?.toUpperCase() };
      return button as unknown as NonNullable<TemplateComponent['buttons']>[number];
    });
  }
  return out;
}
