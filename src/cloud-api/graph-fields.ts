import { GraphUnknownFieldError, graphInvalidParam } from './cloud-api.errors';

/**
 * Graph's `fields` selection: a comma list of a node's fields. A field the node type does not
 * have is Graph's error 100; a field it has but Switchboard cannot fill is simply left out of
 * the answer (as Graph leaves out empty ones). `id` is always returned.
 */
export function selectFields(fields: unknown, defaults: readonly string[], known: ReadonlySet<string>, nodeType: string): string[] {
  if (fields === undefined || fields === '') return [...defaults];
  if (typeof fields !== 'string') throw graphInvalidParam('The parameter fields must be given once, as a comma-separated list.');
  if (fields.trim() === '') return [...defaults];
  // Graph accepts nested selections (`health_status{can_send_message}`): the outer name decides.
  const wanted = fields
    .replace(/\{[^{}]*\}/g, '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of wanted) if (!known.has(f)) throw new GraphUnknownFieldError(f, nodeType);
  const unique = [...new Set(wanted)];
  return unique.includes('id') ? unique : [...unique, 'id'];
}

/** Builds a node from lazily computed values, in the order asked, leaving out undefined ones. */
export function pickFields(fields: readonly string[], values: Readonly<Record<string, () => unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f]?.();
    if (v !== undefined) out[f] = v;
  }
  return out;
}

export interface GraphPage<T> {
  data: T[];
  paging: { cursors: { before: string; after: string }; next?: string; previous?: string };
}

export interface PageRequest {
  limit?: string;
  after?: string;
  before?: string;
}

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;

const encodeCursor = (key: string) => Buffer.from(`sb:${key}`).toString('base64url');
function decodeCursor(cursor: string, name: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('sb:')) throw graphInvalidParam(`The parameter ${name} is not a valid cursor.`);
  return text.slice(3);
}

/**
 * Graph's cursor paging over a list in a fixed order, keyed by a stable id: `limit` items
 * after the `after` cursor (or before `before`), `paging.cursors` of the first and last item,
 * and `next` / `previous` URLs when there are more. `url` is the request's own URL (absolute),
 * whose `after`/`before` are replaced.
 * @throws CloudApiError 100 for a bad limit or cursor
 */
export function graphPage<T>(items: readonly T[], keyOf: (item: T) => string, req: PageRequest, url: URL): GraphPage<T> {
  let limit = DEFAULT_LIMIT;
  if (req.limit !== undefined) {
    limit = Number(req.limit);
    if (!/^\d+$/.test(req.limit) || limit < 1) throw graphInvalidParam('The parameter limit must be a positive integer.');
    limit = Math.min(limit, MAX_LIMIT);
  }
  let start = 0;
  let end = items.length;
  if (req.after) {
    const key = decodeCursor(req.after, 'after');
    const at = items.findIndex((i) => keyOf(i) === key);
    start = at === -1 ? items.length : at + 1;
    end = Math.min(items.length, start + limit);
  } else if (req.before) {
    const key = decodeCursor(req.before, 'before');
    const at = items.findIndex((i) => keyOf(i) === key);
    end = at === -1 ? 0 : at;
    start = Math.max(0, end - limit);
  } else {
    end = Math.min(items.length, limit);
  }
  const data = items.slice(start, end);
  const before = data.length ? encodeCursor(keyOf(data[0])) : '';
  const after = data.length ? encodeCursor(keyOf(data[data.length - 1])) : '';
  const page: GraphPage<T> = { data, paging: { cursors: { before, after } } };
  const link = (param: 'after' | 'before', cursor: string) => {
    const u = new URL(url.toString());
    u.searchParams.delete('after');
    u.searchParams.delete('before');
    u.searchParams.delete('access_token');
    u.searchParams.set('limit', String(limit));
    u.searchParams.set(param, cursor);
    return u.toString();
  };
  if (data.length && end < items.length) page.paging.next = link('after', after);
  if (data.length && start > 0) page.paging.previous = link('before', before);
  return page;
}
