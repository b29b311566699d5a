import { type CompatError, defaultCompatError } from '../compat-errors';

/** Errors of the gateway API. */
export function renderGatewayError(error: CompatError): { status?: number; body: unknown } {
  return defaultCompatError(error);
}
