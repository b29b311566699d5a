import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer, { MulterError, memoryStorage } from 'multer';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';

/**
 * Parses a multipart send (`file` part plus fields) into `req.file` and `req.body`. JSON
 * requests, the common case, pass straight through: running multer through an interceptor on
 * every request cost the enqueue path a third of its throughput (see docs/benchmarks.md).
 */
@Injectable()
export class MultipartMiddleware implements NestMiddleware {
  private readonly upload: ReturnType<ReturnType<typeof multer>['single']>;

  constructor(config: AppConfig) {
    this.upload = multer({ storage: memoryStorage(), limits: { fileSize: config.media.maxBytes, files: 1, fields: 50 } }).single('file');
  }

  use(req: Request, res: Response, next: NextFunction): void {
    if (!req.is('multipart/form-data')) return next();
    this.upload(req, res, (err?: unknown) => next(err ? toAppError(err) : undefined));
  }
}

function toAppError(err: unknown): unknown {
  if (!(err instanceof MulterError)) return err;
  if (err.code === 'LIMIT_FILE_SIZE') return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 'The file is larger than MEDIA_MAX_BYTES', undefined, { cause: err });
  return new AppError(ErrorCode.VALIDATION_FAILED, `Malformed multipart body: ${err.message}`, { fields: [{ field: err.field ?? 'file', messages: [err.message] }] }, { cause: err });
}
