import { PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer, { memoryStorage, MulterError } from 'multer';
import { extractCredential } from '../auth/credentials';
import { guardBody } from '../common/http/body-parsers';
import { graphInvalidParam } from './cloud-api.errors';
import { isCloudApiRequest } from './cloud-api-routing';

/**
 * Graph's `access_token` as a form field (urlencoded or multipart), on every facade route.
 * Mounted after the general body parsers (JSON and urlencoded bodies are parsed by then). A
 * multipart body on a facade path that carries no credential header is parsed here, before the
 * auth guard, since the token may be one of its fields; the upload route then finds the file
 * already in `req.file`. The field becomes the Bearer token (never over a header) and is
 * removed from the body, so it is not validated, stored or logged as data.
 */
export function cloudApiFormToken(maxFileBytes: number): RequestHandler {
  const upload = multer({ storage: memoryStorage(), limits: { fileSize: maxFileBytes, files: 1, fields: 50 } }).single('file');
  return (req: Request, res: Response, next: NextFunction) => {
    if (!isCloudApiRequest(req) || extractCredential(req)) return next();
    const adopt = () => {
      const body = req.body as Record<string, unknown> | undefined;
      const token = body && typeof body === 'object' ? body.access_token : undefined;
      if (typeof token === 'string' && token.trim()) {
        req.headers.authorization = `Bearer ${token.trim()}`;
        delete body!.access_token;
      }
      next();
    };
    if (req.method !== 'POST' || !req.is('multipart/form-data')) return adopt();
    upload(req, res, (err?: unknown) => {
      if (err) {
        if (err instanceof MulterError && err.code === 'LIMIT_FILE_SIZE') return next(new PayloadTooLargeException('The file is too large'));
        return next(graphInvalidParam(`Malformed multipart body: ${err instanceof Error ? err.message : String(err)}`));
      }
      // Parsed once: the route's own multipart interceptor must not read the spent stream again.
      req.headers['content-type'] = 'application/x-multipart-parsed';
      guardBody(req, res, (guardErr?: unknown) => (guardErr ? next(guardErr) : adopt()));
    });
  };
}
