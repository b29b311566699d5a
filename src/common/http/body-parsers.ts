import { json, urlencoded, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import multer, { MulterError, memoryStorage } from 'multer';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { findInputProblem, inputError, stringProblem } from '../validation/input-guard';

export interface BodyParserOptions {
  /** Limit of JSON and form bodies. */
  limit: string;
  /** Routes that take base64 media inside JSON, with their larger limit. */
  largeJson: { paths: string[]; limit: string | number };
  /** Routes that take a multipart upload (one `file` part plus fields) into `req.file`. */
  multipart: { paths: string[]; maxFileBytes: number };
}

/**
 * The request-body middleware: JSON and urlencoded forms everywhere, a larger JSON limit on the
 * routes that carry base64 media, and multipart uploads on the routes that take a file (other
 * multipart routes bring their own interceptor). One layer for all of it keeps the router's
 * walk short on every request; JSON, the common case, never touches multer.
 *
 * Parser errors become domain errors before Nest sees them: Nest maps a parser SyntaxError to
 * a bare 400 and loses what went wrong, and every API surface's filter should get the same
 * precise code (malformed JSON, too large, bad encoding, bad multipart).
 */
export function bodyParser(options: BodyParserOptions): RequestHandler {
  const jsonBody = json({ limit: options.limit });
  const largeJsonBody = json({ limit: options.largeJson.limit });
  const formBody = urlencoded({ extended: false, limit: options.limit });
  const upload = multer({ storage: memoryStorage(), limits: { fileSize: options.multipart.maxFileBytes, files: 1, fields: 50 } }).single('file');
  const under = (paths: string[], path: string) => paths.some((p) => path === p || path.startsWith(`${p}/`));
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'POST' && under(options.multipart.paths, req.path) && req.is('multipart/form-data')) {
      return upload(req, res, (err?: unknown) => next(err ? toMultipartError(err) : guardBody(req)));
    }
    const parseJson = under(options.largeJson.paths, req.path) ? largeJsonBody : jsonBody;
    parseJson(req, res, (err?: unknown) => {
      if (err) return next(toBodyError(err));
      if ((req as Request & { _body?: boolean })._body) return next(guardBody(req));
      formBody(req, res, (formErr?: unknown) => next(formErr ? toBodyError(formErr) : guardBody(req)));
    });
  };
}

/**
 * A parsed body (JSON, form or multipart fields and file name) that holds a NUL, a lone
 * surrogate or hostile nesting is refused here, before any validator or handler walks it.
 */
function guardBody(req: Request): AppError | undefined {
  const problem = findInputProblem(req.body, '');
  if (problem) return inputError(problem);
  const fileName = (req as Request & { file?: { originalname?: string } }).file?.originalname;
  const fileProblem = typeof fileName === 'string' ? stringProblem(fileName) : null;
  return fileProblem ? inputError({ field: 'file', message: `name ${fileProblem}` }) : undefined;
}

/** Every multipart failure is the request's: limits (multer) or a malformed body (busboy). */
function toMultipartError(err: unknown): AppError {
  if (err instanceof MulterError && err.code === 'LIMIT_FILE_SIZE') {
    return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 'The file is larger than MEDIA_MAX_BYTES', undefined, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  const field = err instanceof MulterError ? (err.field ?? 'file') : 'file';
  return new AppError(ErrorCode.VALIDATION_FAILED, `Malformed multipart body: ${message}`, { fields: [{ field, messages: [message] }] }, { cause: err });
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
