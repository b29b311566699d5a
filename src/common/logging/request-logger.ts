import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Level, Logger } from 'pino';
import { runInRequestContext } from './request-context';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type RequestWithId = Request & { id?: string };

/** The id `requestLogger` gave the request (also sent back as `X-Request-Id`). */
export function requestIdOf(req: Request): string {
  return (req as RequestWithId).id ?? '';
}

/**
 * First middleware of the app: gives every request an id (the client's `X-Request-Id` when it
 * is a plain token, else a UUID), echoes it in `X-Request-Id`, and logs the outcome once the
 * response is finished: 5xx at error, 4xx at info, the rest at debug (health checks never).
 * Only the method and the path are logged (query strings may carry tokens), never headers or
 * bodies. Nothing is allocated for the log line unless its level is enabled. The rest of the
 * request runs in its request context, so every log line written meanwhile carries `requestId`.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    (req as RequestWithId).id = id;
    res.setHeader('X-Request-Id', id);
    const started = performance.now();
    // 'close' follows 'finish' on every response, and comes alone when the client went away; it
    // comes once, so a plain listener does (no once-wrapper per request).
    res.on('close', () => {
      const aborted = !res.writableFinished;
      const level: Level = aborted || res.statusCode < 400 ? 'debug' : res.statusCode >= 500 ? 'error' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const path = req.originalUrl.split('?')[0];
      if (path.startsWith('/api/health')) return;
      logger[level](
        {
          requestId: id,
          req: { id, method: req.method, path },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - started),
        },
        aborted ? 'request aborted' : 'request completed',
      );
    });
    runInRequestContext(req, { requestId: id }, next);
  };
}
