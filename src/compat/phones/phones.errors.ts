import type { CompatError } from '../compat-errors';

/**
 * Errors of the phones API: `{success:false, error, code}` (the document shows none), plus
 * `details` when the code has any (the failing fields, a retry delay, the webhook to replace).
 */
export function renderPhonesError(error: CompatError): { status?: number; body: unknown } {
  return { body: { success: false, error: error.message, code: error.code, ...(error.details !== undefined ? { details: error.details } : {}) } };
}
