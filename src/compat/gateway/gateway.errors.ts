import { type CompatError, defaultCompatError } from '../compat-errors';

/**
 * Errors of the gateway API. The WA Gateway documents no error body (only the 401), so every
 * error is `{success:false, error:"<message>", code:"<CODE>"}` with the native status and code.
 */
export function renderGatewayError(error: CompatError): { status?: number; body: unknown } {
  return defaultCompatError(error);
}
