import { DisconnectReason } from '../whatsapp/engine/engine-events';

export interface ReconnectSettings {
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0 = unlimited. */
  maxAttempts: number;
  replacedDelayMs: number;
}

export interface CloseContext {
  reason: DisconnectReason;
  /** Consecutive failed attempts so far (not reset by a brief open). */
  attempts: number;
  /** Times the connection was replaced since it was last stable. */
  replacedCount: number;
}

export type ReconnectDecision =
  | { action: 'reconnect'; delayMs: number; countsAsAttempt: boolean }
  | { action: 'logged-out' }
  | { action: 'stop'; reason: string };

/**
 * What to do after a connection closed (baileys.md §4 policy table):
 * - 515 restart-required (after pairing): reconnect at once;
 * - logged out / banned / multi-device mismatch: terminal, credentials are wiped;
 * - replaced by another connection (440): one reconnect after a delay, then stop, so two
 *   owners of one session cannot ping-pong;
 * - QR refs exhausted or client version rejected: stop (retrying cannot help);
 * - anything else: exponential backoff with jitter, up to `maxAttempts`.
 */
export function decideReconnect(ctx: CloseContext, settings: ReconnectSettings, random: () => number = Math.random): ReconnectDecision {
  switch (ctx.reason) {
    case DisconnectReason.RESTART_REQUIRED:
      return { action: 'reconnect', delayMs: 0, countsAsAttempt: false };
    case DisconnectReason.LOGGED_OUT:
    case DisconnectReason.FORBIDDEN:
    case DisconnectReason.MULTIDEVICE_MISMATCH:
      return { action: 'logged-out' };
    case DisconnectReason.CONNECTION_REPLACED:
      return ctx.replacedCount === 0
        ? { action: 'reconnect', delayMs: settings.replacedDelayMs, countsAsAttempt: true }
        : { action: 'stop', reason: DisconnectReason.CONNECTION_REPLACED };
    case DisconnectReason.QR_EXPIRED:
    case DisconnectReason.VERSION_REJECTED:
      return { action: 'stop', reason: ctx.reason };
    default:
      if (settings.maxAttempts > 0 && ctx.attempts >= settings.maxAttempts) {
        return { action: 'stop', reason: 'RECONNECT_ATTEMPTS_EXHAUSTED' };
      }
      return { action: 'reconnect', delayMs: backoffDelay(ctx.attempts, settings, random), countsAsAttempt: true };
  }
}

/** Exponential backoff (base · 2^attempt, capped) with "equal jitter": half fixed, half random. */
export function backoffDelay(attempt: number, settings: Pick<ReconnectSettings, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
