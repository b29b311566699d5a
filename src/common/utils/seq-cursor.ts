import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';

/**
 * Opaque "older than this row" cursors over a `seq` column. The kind (`s` messages, `d`
 * deliveries) keeps one list's cursor from being accepted by another.
 */
export function encodeSeqCursor(kind: string, seq: number): string {
  return Buffer.from(`${kind}:${seq}`).toString('base64url');
}

/** @throws AppError VALIDATION_FAILED (field `cursor`) for a cursor this API did not return. */
export function decodeSeqCursor(kind: string, cursor: string): number {
  const [prefix, value] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (prefix !== kind || !/^\d{1,16}$/.test(value ?? '') || !Number.isSafeInteger(Number(value))) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'cursor is not one this API returned', {
      fields: [{ field: 'cursor', messages: ['cursor is not one this API returned'] }],
    });
  }
  return Number(value);
}
