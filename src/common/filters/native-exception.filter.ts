import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '../errors/app-error';
import { dataExceptionOf } from '../errors/database-error';
import { ERROR_HTTP_STATUS, ErrorCode } from '../errors/error-codes';
import { renderCloudApiError } from '../../cloud-api/cloud-api-exception.filter';
import { isCloudApiRequest } from '../../cloud-api/cloud-api-routing';
import { requestIdOf } from '../logging/request-logger';
import { renderCompatError } from '../../compat/compat-errors';

export interface ErrorEnvelope {
  success: false;
  error: { code: string; message: string; details?: unknown };
  requestId: string;
}

/** Maps an error that escaped routing or a handler to a status and a native error body. */
export function toNativeError(exception: unknown): { status: number; code: ErrorCode; message: string; details?: unknown } {
  exception = dataExceptionOf(exception) ?? exception;
  if (exception instanceof AppError) {
    return {
      status: ERROR_HTTP_STATUS[exception.code],
      code: exception.code,
      message: exception.message,
      details: exception.details,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, code: codeForStatus(status), message: messageOf(exception) };
  }
  return { status: 500, code: ErrorCode.INTERNAL_ERROR, message: 'Internal server error' };
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case HttpStatus.NOT_FOUND:
      return ErrorCode.ROUTE_NOT_FOUND;
    case HttpStatus.UNAUTHORIZED:
      return ErrorCode.UNAUTHENTICATED;
    case HttpStatus.FORBIDDEN:
      return ErrorCode.FORBIDDEN;
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return ErrorCode.PAYLOAD_TOO_LARGE;
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return ErrorCode.UNSUPPORTED_MEDIA_TYPE;
    default:
      return status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.VALIDATION_FAILED;
  }
}

function messageOf(e: HttpException): string {
  const res = e.getResponse();
  if (typeof res === 'string') return res;
  const msg = (res as { message?: unknown }).message;
  return Array.isArray(msg) ? msg.join('; ') : typeof msg === 'string' ? msg : e.message;
}

/**
 * The native API's catch-all filter: `{success:false, error:{code,message,details?}, requestId}`.
 * Unknown errors become a generic 500; their stack is logged, never returned.
 */
@Catch()
export class NativeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    // Errors raised before routing (malformed JSON, body size) under Meta's Graph paths only
    // reach this global filter; Cloud API clients expect Meta's envelope for them too.
    if (isCloudApiRequest(req)) return renderCloudApiError(exception, req, res);
    const { status, code, message, details } = toNativeError(exception);
    if (status >= 500) {
      this.logger.error({ err: exception, requestId: requestIdOf(req) }, 'Unhandled error');
    }
    if (res.headersSent) return;
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    // The sibling products' APIs (/compat/<api>/…) answer in their own error shapes.
    if (renderCompatError({ status, code, message, details }, req, res, requestIdOf(req))) return;
    const body: ErrorEnvelope = {
      success: false,
      error: details === undefined ? { code, message } : { code, message, details },
      requestId: requestIdOf(req),
    };
    const retryAfter = (details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) {
      res.setHeader('Retry-After', String(Math.ceil(retryAfter)));
    }
    res.status(status).json(body);
  }
}
