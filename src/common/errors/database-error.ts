import { QueryFailedError } from 'typeorm';
import { AppError } from './app-error';
import { ErrorCode } from './error-codes';

/**
 * A statement the database refused because of a value it was given: SQLSTATE class 22 ("data
 * exception": a NUL or a malformed escape in text or jsonb, a number or date out of range, text
 * that is not a valid uuid or integer). Such values come from a request that the edge
 * validation let through, so they are the request's fault: a 400, never a 500. Everything
 * else (constraint races, connection loss, bugs) stays an internal error.
 */
export function dataExceptionOf(exception: unknown): AppError | null {
  const code = exception instanceof QueryFailedError ? (exception.driverError as { code?: unknown } | undefined)?.code : (exception as { code?: unknown } | null)?.code;
  const fromDriver = exception instanceof QueryFailedError || (exception instanceof Error && 'severity' in exception);
  if (!fromDriver || typeof code !== 'string' || !code.startsWith('22')) return null;
  return new AppError(ErrorCode.VALIDATION_FAILED, 'A value in the request is malformed or out of range', { sqlState: code }, { cause: exception });
}
