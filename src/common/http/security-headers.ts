import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isUiPath } from './ui-path';

/** Swagger UI: its scripts, styles and icons are served from here; its <style> blocks are inline. */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The web dashboard (src/web-ui): its scripts and styles are files of the build, served from
 * here; no inline script or style, no eval; QR codes are PNG data URLs; message media and TTS
 * previews, fetched with the tab's credential, play from blob: URLs; it talks to this server's
 * API only.
 */
const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Everything else is JSON or media bytes (whose type a WhatsApp sender chose): nothing may run
 * or load, even if a browser renders it (an HTML "document" sent as media stays inert).
 */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/**
 * Headers on every response, before any route or body parser can answer: no MIME sniffing,
 * no framing, no referrer, and a Content-Security-Policy (Swagger UI's under /docs, the
 * dashboard's under /ui).
 */
export function securityHeaders(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Content-Security-Policy', cspFor(req.path));
    next();
  };
}

function cspFor(path: string): string {
  if (path === '/docs' || path.startsWith('/docs/')) return DOCS_CSP;
  if (isUiPath(path)) return UI_CSP;
  return API_CSP;
}
