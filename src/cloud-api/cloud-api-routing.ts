import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Where the facade's controllers are mounted; Meta's paths are rewritten onto it. */
export const CLOUD_API_PREFIX = 'cloud-api';

const VERSION = /^\/(v\d+\.\d+)(\/.*)?$/;
/** First path segments that belong to the native API, the docs or the dashboard, never to a Graph id. */
const RESERVED = new Set(['api', 'compat', 'docs', 'docs-json', 'ui', 'dashboard', CLOUD_API_PREFIX]);
/** Native routes at the root that a versioned Graph path may still use as an id (`/v21.0/metrics`). */
const RESERVED_UNVERSIONED = new Set(['metrics']);
const FACADE_SHAPES = [
  /^\/[^/]+\/(messages|media|phone_numbers|subscribed_apps|register|deregister|whatsapp_business_profile)\/?$/,
  /^\/media-download\/[^/]+\/?$/,
  /^\/[^/]+\/message_templates\/?$/,
  /^\/[^/]+\/?$/,
];

const MARK = Symbol('cloudApi');
type Marked = Request & { [MARK]?: { version: string | null } };

/**
 * Routes Meta's Graph paths onto the facade without letting them shadow anything else.
 *
 * Graph ids sit in the first path segment (`/{phone-number-id}/messages`, `/{media-id}`), so
 * the facade's routes look like catch-alls. Express 5 routes take no regex constraints, so
 * this middleware (mounted before every route) decides instead: a path with a `/vNN.N`
 * prefix, or an unversioned path of one of the facade's shapes whose first segment is not
 * `api`, `compat`, `docs`, `docs-json`, the dashboard's `ui` and `dashboard`, or `metrics` (and has no dot, like `/favicon.ico`), is rewritten to
 * `/cloud-api/…`; everything else passes untouched, so native routes and their 404s stay
 * native. It also accepts Graph's `?access_token=` (on these paths only) as the Bearer token.
 */
export function cloudApiRouting(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const q = req.url.indexOf('?');
    const path = q === -1 ? req.url : req.url.slice(0, q);
    const query = q === -1 ? '' : req.url.slice(q);
    let version: string | null = null;
    let rest = path;
    const versioned = VERSION.exec(path);
    if (versioned) {
      version = versioned[1];
      rest = versioned[2] ?? '/';
    }
    const first = rest.split('/')[1] ?? '';
    const isFacade =
      first === CLOUD_API_PREFIX ||
      (versioned ? !RESERVED.has(first) : !RESERVED.has(first) && !RESERVED_UNVERSIONED.has(first) && !first.includes('.') && first !== '' && FACADE_SHAPES.some((re) => re.test(rest)));
    if (!isFacade) return next();
    (req as Marked)[MARK] = { version };
    if (first !== CLOUD_API_PREFIX) req.url = `/${CLOUD_API_PREFIX}${rest === '/' ? '' : rest}${query}`;
    const token = new URLSearchParams(query.slice(1)).get('access_token');
    if (token && !req.headers.authorization) req.headers.authorization = `Bearer ${token}`;
    next();
  };
}

/** Whether a request addressed the Cloud API facade (its errors are rendered Meta's way). */
export function isCloudApiRequest(req: Request): boolean {
  if ((req as Marked)[MARK]) return true;
  return /^\/(v\d+\.\d+|cloud-api)(\/|\?|$)/.test(req.originalUrl ?? req.url ?? '');
}

/** The Graph version the client used (`v21.0`), or null for an unversioned call. */
export function cloudApiVersion(req: Request): string | null {
  return (req as Marked)[MARK]?.version ?? null;
}

/** The path as the client wrote it after the version (for Graph's "Unknown path components"). */
export function graphPath(req: Request): string {
  const path = (req.originalUrl ?? req.url).split('?')[0];
  return path.replace(/^\/v\d+\.\d+/, '') || '/';
}

