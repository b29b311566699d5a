import { json, urlencoded, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';

/**
 * body-parser errors turned into domain errors before Nest sees them: Nest maps a parser
 * SyntaxError to a bare 400 and loses what went wrong, and every API surface's filter
 * should get the same precise code (malformed JSON, too large, bad encoding).
 */
export function bodyParsers(limit: string): RequestHandler[] {
  return wrap([json({ limit }), urlencoded({ extended: false, limit })]);
}

/** A JSON parser with its own limit for routes that take base64 media; later parsers skip parsed bodies. */
export function largeJsonParser(limit: string | number): RequestHandler {
  return wrap([json({ limit })])[0];
}

function wrap(parsers: RequestHandler[]): RequestHandler[] {
  return parsers.map(
    (parser) => (req: Request, res: Response, next: NextFunction) =>
      parser(req, res, (err?: unknown) => next(err ? toBodyError(err) : undefined)),
  );
}

function toBodyError(err: unknown): unknown {
  const e = err as { type?: string; status?: number };
  switch (e?.type) {
    case 'entity.parse.failed':
      return new AppError(ErrorCode.MALFORMED_JSON, 'Request body is not valid JSON', undefined, { cause: err });
    case 'entity.too.large':
      return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 'Request body is too large', undefined, { cause: err });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Unsupported body encoding or charset', undefined, { cause: err });
    default:
      if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
        return new AppError(ErrorCode.VALIDATION_FAILED, 'Malformed request body', undefined, { cause: err });
      }
      return err;
  }
}
