import type { Request } from 'express';

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
  const cookie = (req as Request & { cookies?: Record<string, string> }).cookies?.[AUTH_COOKIE];
  return typeof cookie === 'string' && cookie ? cookie : null;
}

export function looksLikeJwt(credential: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(credential);
}
