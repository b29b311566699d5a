import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { extractCredential } from '../auth/credentials';
import { requestIdOf } from '../common/logging/request-logger';
import { graphPath } from './cloud-api-routing';
import { toMetaError } from './cloud-api-error.map';

const logger = new Logger('CloudApiExceptionFilter');

/**
 * Writes any error as Meta's Graph error envelope: `{error:{message, type, code,
 * error_subcode?, error_data?, fbtrace_id}}` with Meta's HTTP status, `fbtrace_id` and
 * `x-fb-trace-id` being our request id. Shared by the facade's own filter and by the native
 * filter for errors raised before routing (malformed JSON, body size).
 */
export function renderCloudApiError(exception: unknown, req: Request, res: Response): void {
  const requestId = requestIdOf(req);
  const { status, body, wwwAuthenticate } = toMetaError(exception, {
    method: req.method,
    hasCredential: Boolean(extractCredential(req)),
    path: graphPath(req),
    requestId,
  });
  if (status >= 500) logger.error({ err: exception, requestId }, 'Unhandled error in the Cloud API facade');
  if (res.headersSent) return;
  res.setHeader('WWW-Authenticate', wwwAuthenticate);
  res.setHeader('x-fb-trace-id', requestId);
  res.setHeader('x-fb-request-id', requestId);
  res.status(status).json(body);
}

/**
 * The facade's catch-all filter, bound with `@UseFilters` on its controllers. Nest checks
 * controller-scoped filters before the global native one (an e2e test pins that order).
 */
@Catch()
export class CloudApiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    renderCloudApiError(exception, ctx.getRequest<Request>(), ctx.getResponse<Response>());
  }
}
