import { json, urlencoded, type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import multer, { MulterError, memoryStorage } from 'multer';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { findInputProblem, inputError, stringProblem } from '../validation/input-guard';

/**
 * The request-body middleware, registered with plain `app.use` (Nest is created with
 * `bodyParser: false`; see bootstrap.ts for the order):
 *
 *   app.use('/api/messages/send', mediaBody(…))   // routes that take media: multipart or large JSON
 *   app.use(requestBody(limit))                   // every request: JSON, then form, then guardBody
 *   app.use(bodyErrors)                           // parser errors become domain errors
 *
 * Each registration is one Express router layer, and the router walks every layer for every
 * request; the parsers of one registration are called one after another by a plain function
 * rather than registered as a layer each (bench/queue.bench.ts measures the difference).
 *
 * A body is read once: body-parser skips a request whose body an earlier parser consumed, so
 * the larger JSON limit mounted on the media routes wins there and the general one applies
 * everywhere else. Parser errors become domain errors before Nest sees them (`bodyErrors`):
 * Nest maps a parser SyntaxError to a bare 400 and loses what went wrong, and every API
 * surface's filter should get the same precise code (malformed JSON, too large, bad encoding).
 */
export function requestBody(limit: string | number): RequestHandler {
  const parseJson = json({ limit });
  // Flat forms (`extended: false`).
  const parseForm = urlencoded({ extended: false, limit });
  return (req: Request, res: Response, next: NextFunction) => {
    parseJson(req, res, (jsonErr?: unknown) => {
      if (jsonErr) return next(jsonErr);
      parseForm(req, res, (formErr?: unknown) => (formErr ? next(formErr) : guardBody(req, res, next)));
    });
  };
}

/**
 * The body of a route that takes media: one multipart `file` part plus fields into `req.file` /
 * `req.body` for a multipart POST (its failures are the request's: limits from multer, a
 * malformed body from busboy), otherwise JSON up to `jsonLimit` (base64 media inside JSON).
 */
export function mediaBody(maxFileBytes: number, jsonLimit: string | number, fileField = 'file'): RequestHandler {
  const upload = multer({ storage: memoryStorage(), limits: { fileSize: maxFileBytes, files: 1, fields: 50 } }).single(fileField);
  const parseJson = json({ limit: jsonLimit });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || !req.is('multipart/form-data')) return parseJson(req, res, next);
    upload(req, res, (err?: unknown) => next(err ? toMultipartError(err) : undefined));
  };
}

/**
 * A parsed body (JSON, form or multipart fields and file name) that holds a NUL, a lone
 * surrogate or hostile nesting is refused here, before any validator or handler walks it.
 */
export const guardBody: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
  const problem = findInputProblem(req.body, '');
  if (problem) return next(inputError(problem));
  const fileName = (req as Request & { file?: { originalname?: string } }).file?.originalname;
  const fileProblem = typeof fileName === 'string' ? stringProblem(fileName) : null;
  next(fileProblem ? inputError({ field: 'file', message: `name ${fileProblem}` }) : undefined);
};

/** Express error middleware: a body parser's error becomes the matching domain error. */
export const bodyErrors: ErrorRequestHandler = (err: unknown, _req: Request, _res: Response, next: NextFunction) => {
  next(toBodyError(err));
};

function toMultipartError(err: unknown): AppError {
  if (err instanceof MulterError && err.code === 'LIMIT_FILE_SIZE') {
    return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 'The file is larger than MEDIA_MAX_BYTES', undefined, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  const field = err instanceof MulterError ? (err.field ?? 'file') : 'file';
  return new AppError(ErrorCode.VALIDATION_FAILED, `Malformed multipart body: ${message}`, { fields: [{ field, messages: [message] }] }, { cause: err });
}

function toBodyError(err: unknown): unknown {
  if (err instanceof AppError) return err;
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
