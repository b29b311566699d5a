import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** What every log line written while a request is handled knows about that request. */
export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();
const CONTEXT = Symbol('requestContext');
type WithContext = Request & { [CONTEXT]?: RequestContext };

/** The context of the request being handled, or undefined outside one (timers, engines, boot). */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Runs `next` (the rest of the request's middleware and handler) inside the request's context. */
export function runInRequestContext(req: Request, context: RequestContext, next: () => void): void {
  (req as WithContext)[CONTEXT] = context;
  storage.run(context, next);
}

/**
 * Enters the request's context again. Body parsers resume the chain from the socket's stream
 * events, which run outside the context `requestLogger` opened; this middleware (mounted after
 * them) restores it so the handler and everything it awaits log with the request's id.
 */
export function requestContextMiddleware(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const context = (req as WithContext)[CONTEXT];
    if (!context || storage.getStore() === context) return next();
    storage.run(context, next);
  };
}
