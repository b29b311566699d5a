import type { CompatError } from '../compat-errors';

/**
 * Errors of the devices API, in the product's response style: `{status: false, message, code}`
 * with the native HTTP status (401 no or bad apikey, 403 a credential of another API, 404 an
 * unknown device token, 400 bad input, 409 a state that does not allow the call).
 */
export function renderDevicesError(error: CompatError): { status?: number; body: unknown } {
  return { body: { status: false, message: error.message, code: error.code } };
}
