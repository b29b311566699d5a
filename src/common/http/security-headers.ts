import type { NextFunction, Request, RequestHandler, Response } from 'express';

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
 * Everything else is JSON or media bytes (whose type a WhatsApp sender chose): nothing may run
 * or load, even if a browser renders it (an HTML "document" sent as media stays inert).
 */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/**
 * Headers on every response, before any route or body parser can answer: no MIME sniffing,
 * no framing, no referrer, and a Content-Security-Policy (Swagger UI's under /docs).
 */
export function securityHeaders(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Content-Security-Policy', req.path === '/docs' || req.path.startsWith('/docs/') ? DOCS_CSP : API_CSP);
    next();
  };
}
