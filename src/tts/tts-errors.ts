import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';

/**
 * Details of every TTS error. `transient` is the contract with the message queue: true for
 * rate limits, timeouts and provider outages (retry later, honouring `retryAfterSeconds`),
 * false for bad input and bad configuration (retrying the same request cannot succeed).
 */
export interface TtsErrorDetails {
  provider: string;
  transient: boolean;
  /** Seconds the provider asked us to wait (429); the native filter sends it as Retry-After. */
  retryAfterSeconds?: number;
  providerStatus?: number;
  providerCode?: string;
  providerRequestId?: string;
  reason?: string;
  [key: string]: unknown;
}

export function ttsError(code: ErrorCode, message: string, details: TtsErrorDetails, cause?: unknown): AppError {
  return new AppError(code, message, details, { cause });
}

const TRANSIENT_BY_DEFAULT = new Set<ErrorCode>([
  ErrorCode.TTS_RATE_LIMITED,
  ErrorCode.TTS_TIMEOUT,
  ErrorCode.TTS_PROVIDER_ERROR,
]);

/**
 * Whether trying the same TTS (or audio) work again later may succeed. Reads
 * `details.transient` when the error carries it; anything that is not an AppError (a bug)
 * is permanent.
 */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof AppError)) return false;
  const flag = (err.details as { transient?: unknown } | undefined)?.transient;
  return typeof flag === 'boolean' ? flag : TRANSIENT_BY_DEFAULT.has(err.code);
}

/** Seconds to wait before retrying, when the provider said so. */
export function retryAfterSeconds(err: unknown): number | undefined {
  if (!(err instanceof AppError)) return undefined;
  const value = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof value === 'number' ? value : undefined;
}
