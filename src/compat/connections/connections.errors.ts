import { type CompatError, defaultCompatError } from '../compat-errors';

/** Errors of the connections API. */
export function renderConnectionsError(error: CompatError): { status?: number; body: unknown } {
  return defaultCompatError(error);
}
