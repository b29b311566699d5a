import { type CompatError, defaultCompatError } from '../compat-errors';

/** Errors of the phones API. */
export function renderPhonesError(error: CompatError): { status?: number; body: unknown } {
  return defaultCompatError(error);
}
