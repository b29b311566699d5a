import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAfterFailure, nominalDelay, retryWindowMs, type RetrySettings } from './retry-policy';

const DEFAULTS: RetrySettings = { baseDelayMs: 10_000, maxDelayMs: 3_600_000, maxAttempts: 30 };
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('webhook retry policy', () => {
  it('doubles from the base up to the cap', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => nominalDelay(n, DEFAULTS)), [10_000, 20_000, 40_000, 80_000]);
    assert.equal(nominalDelay(9, DEFAULTS), 2_560_000);
    assert.equal(nominalDelay(10, DEFAULTS), 3_600_000);
    assert.equal(nominalDelay(500, DEFAULTS), 3_600_000);
  });

  it('retries the defaults for about a day', () => {
    const hours = retryWindowMs(DEFAULTS) / 3_600_000;
    assert.ok(hours > 20 && hours < 24, `${hours} h`);
  });

  it('backs off by the subscription’s consecutive failures, with ±20 % jitter', () => {
    const ctx = { roundAttempts: 1, queuedAt: t0, consecutiveFailures: 3, now: t0 };
    const low = decideAfterFailure(ctx, DEFAULTS, () => 0);
    const high = decideAfterFailure(ctx, DEFAULTS, () => 1);
    assert.deepEqual(low, { action: 'retry', at: at(32_000), delayMs: 32_000 });
    assert.deepEqual(high, { action: 'retry', at: at(48_000), delayMs: 48_000 });
  });

  it('gives up after maxAttempts in the round', () => {
    const ctx = { roundAttempts: 30, queuedAt: t0, consecutiveFailures: 30, now: t0 };
    assert.deepEqual(decideAfterFailure(ctx, DEFAULTS, () => 0.5), { action: 'give-up' });
    assert.equal(decideAfterFailure({ ...ctx, roundAttempts: 29 }, DEFAULTS, () => 0.5).action, 'retry');
  });

  it('gives up a delivery that waited behind the head for longer than its window', () => {
    const window = retryWindowMs(DEFAULTS);
    // Jitter may stretch a healthy delivery's schedule by up to 20 %; past that it has waited too long.
    const old = { roundAttempts: 1, queuedAt: t0, consecutiveFailures: 31, now: at(window * 1.2) };
    assert.deepEqual(decideAfterFailure(old, DEFAULTS, () => 0.5), { action: 'give-up' });
    const young = { ...old, queuedAt: at(window * 1.2 - 2 * 3_600_000) };
    assert.equal(decideAfterFailure(young, DEFAULTS, () => 0.5).action, 'retry');
  });

  it('never ends an old delivery early behind a receiver that is only flaky', () => {
    const backlog = { roundAttempts: 1, queuedAt: t0, consecutiveFailures: 2, now: at(retryWindowMs(DEFAULTS) * 3) };
    assert.equal(decideAfterFailure(backlog, DEFAULTS, () => 0.5).action, 'retry');
  });
});
