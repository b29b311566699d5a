import { type CompatError, defaultCompatError } from '../compat-errors';

/**
 * Errors of the connections API: `{success:false, error, code}` (the document shows none). A
 * service error may carry a more precise product code in its details (`productCode`, e.g.
 * CONNECTION_PENDING_QR for the native SESSION_NOT_LINKED); the status stays the native one.
 */
export function renderConnectionsError(error: CompatError): { status?: number; body: unknown } {
  const productCode = (error.details as { productCode?: unknown } | undefined)?.productCode;
  return defaultCompatError(typeof productCode === 'string' ? { ...error, code: productCode } : error);
}
