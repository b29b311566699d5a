import { json, urlencoded, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';

/**
 * The request-body middleware: JSON and urlencoded forms, with a larger JSON limit on the
 * routes that carry base64 media (multipart is left to the upload middleware). One layer
 * instead of one per parser keeps the router's walk short on every request.
 *
 * body-parser errors are turned into domain errors before Nest sees them: Nest maps a parser
 * SyntaxError to a bare 400 and loses what went wrong, and every API surface's filter
 * should get the same precise code (malformed JSON, too large, bad encoding).
 */
export function bodyParser(options: { limit: string; largeJson: { paths: string[]; limit: string | number } }): RequestHandler {
  const jsonBody = json({ limit: options.limit });
  const largeJsonBody = json({ limit: options.largeJson.limit });
  const formBody = urlencoded({ extended: false, limit: options.limit });
  const isLarge = (path: string) => options.largeJson.paths.some((p) => path === p || path.startsWith(`${p}/`));
  return (req: Request, res: Response, next: NextFunction) => {
    const parseJson = isLarge(req.path) ? largeJsonBody : jsonBody;
    parseJson(req, res, (err?: unknown) => {
      if (err) return next(toBodyError(err));
      if ((req as Request & { _body?: boolean })._body) return next();
      formBody(req, res, (formErr?: unknown) => next(formErr ? toBodyError(formErr) : undefined));
    });
  };
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
