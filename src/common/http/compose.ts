import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs middlewares in order as one router layer. Each stays a separate function; the router
 * just walks one layer instead of one per middleware on every request. A middleware that
 * throws, rejects or passes an error ends the chain with that error, as in Express.
 */
export function compose(...handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let index = 0;
    const step = (err?: unknown): void => {
      if (err) return next(err);
      const handler = handlers[index++];
      if (!handler) return next();
      try {
        // Express 5 passes a rejected promise of a middleware on as an error; so does this.
        const result: unknown = handler(req, res, step);
        if (result instanceof Promise) result.catch((rejected: unknown) => next(rejected ?? new Error('Middleware rejected')));
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
