import type { Request } from 'express';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';

export const AUTH_COOKIE = 'sb_token';

/**
 * Reads the caller's credential from, in order: `Authorization: Bearer`, `X-API-Key`,
 * `apikey` (sibling products use those) and the login cookie.
 */
export function extractCredential(req: Request): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return match[1];
  }
  for (const header of ['x-api-key', 'apikey']) {
    const value = req.headers[header];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return readCookie(req.headers.cookie, AUTH_COOKIE);
}

/** One cookie's value from a Cookie header (the only cookie the API reads), or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      /* kept as sent */
    }
    return value || null;
  }
  return null;
}

export function looksLikeJwt(credential: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(credential);
}

/** The answer to a call without a valid credential (the global guard's, and the forwarding check's). */
export function unauthenticated(): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, 'A valid credential is required: Authorization: Bearer <token>, X-API-Key or apikey header');
}

/** The answer to a product API's token used outside that API. */
export function issuedForAnotherApi(api: string): AppError {
  return new AppError(ErrorCode.FORBIDDEN, `This token was issued for the ${api} API (/compat/${api}) and works only there`);
}
