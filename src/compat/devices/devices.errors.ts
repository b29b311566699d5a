import { type CompatError, defaultCompatError } from '../compat-errors';

/** Errors of the devices API. */
export function renderDevicesError(error: CompatError): { status?: number; body: unknown } {
  return defaultCompatError(error);
}
