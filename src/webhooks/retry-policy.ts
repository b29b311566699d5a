export interface RetrySettings {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts per delivery round before it ends FAILED. */
  maxAttempts: number;
}

export interface FailureContext {
  /** Attempts of the delivery in its current round, including the one that just failed. */
  roundAttempts: number;
  /** When the current round began (creation or redeliver). */
  queuedAt: Date;
  /** Failed attempts in a row on the subscription, including this one. */
  consecutiveFailures: number;
  now: Date;
}

export type FailureDecision = { action: 'retry'; at: Date; delayMs: number } | { action: 'give-up' };

/** Jitter spreads retries of many subscriptions by ±20 % around the nominal delay. */
const JITTER = 0.2;

/** Nominal delay before retry number `n` (1-based): base · 2^(n-1), capped at max. */
export function nominalDelay(n: number, s: Pick<RetrySettings, 'baseDelayMs' | 'maxDelayMs'>): number {
  return Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.min(Math.max(n - 1, 0), 40));
}

/**
 * How long one delivery is retried: the sum of the nominal delays between its
 * `maxAttempts` attempts. With the defaults (10 s doubling to 1 h, 30 attempts) ≈ 21.4 h.
 */
export function retryWindowMs(s: RetrySettings): number {
  let total = 0;
  for (let n = 1; n < s.maxAttempts; n++) total += nominalDelay(n, s);
  return total;
}

/**
 * What to do after a failed attempt of a subscription's queue head.
 *
 * The backoff grows with the subscription's consecutive failures, not the delivery's own
 * attempts: the head blocks the rest of its subscription (deliveries go out in order), so a
 * receiver that is down is probed at a slowing rate whichever row happens to be the head.
 * A delivery gives up after `maxAttempts` attempts in its round. During an outage (the
 * subscription failed `maxAttempts` times in a row) it also gives up when the next retry
 * would fall outside its retry window: rows queued behind a head that used its whole window
 * already waited as long as they could have been retried, so each gets one more try instead
 * of a fresh day of retries, and the backlog drains at the outage's pace.
 */
export function decideAfterFailure(ctx: FailureContext, s: RetrySettings, random: () => number = Math.random): FailureDecision {
  if (ctx.roundAttempts >= s.maxAttempts) return { action: 'give-up' };
  const nominal = nominalDelay(ctx.consecutiveFailures, s);
  const delayMs = Math.max(0, Math.round(nominal * (1 - JITTER + 2 * JITTER * random())));
  const at = new Date(ctx.now.getTime() + delayMs);
  // Only an outage (a whole budget of failures in a row) ends old rows early: waiting in a
  // backlog behind a healthy or flaky receiver never costs a delivery its retries. The slack
  // keeps jitter alone from costing one its last attempt.
  const inOutage = ctx.consecutiveFailures >= s.maxAttempts;
  if (inOutage && at.getTime() > ctx.queuedAt.getTime() + retryWindowMs(s) * (1 + JITTER)) return { action: 'give-up' };
  return { action: 'retry', at, delayMs };
}
