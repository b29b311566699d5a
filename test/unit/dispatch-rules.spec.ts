import assert from 'node:assert/strict';
import { afterSendFailure, claimRoom, holdsForOptIn, optInOutcome, optInRefusal, pauseAfterSend } from '../../src/messages/dispatcher';
import { PACING_PRESETS } from '../../src/sessions/session-settings';
import { describe, it } from '../support/node-test';

/** The queue's rules, without a database or an engine: what a round claims, pacing, failures, opt-in. */
describe('Queue dispatch rules (unit)', () => {
  const QUEUE = { maxAttempts: 3, retryBaseDelayMs: 1_000 };

  it('claims one message per round for a paced session and a batch for an unpaced one', () => {
    assert.equal(claimRoom({ maxDelayMs: PACING_PRESETS.careful.maxDelayMs, dailyLimit: null }, 0), 1);
    assert.equal(claimRoom({ maxDelayMs: PACING_PRESETS.standard.maxDelayMs, dailyLimit: null }, 0), 1);
    assert.equal(claimRoom({ maxDelayMs: PACING_PRESETS.off.maxDelayMs, dailyLimit: null }, 0), 100);
  });

  it('never claims past the daily cap, and claims nothing once it is reached', () => {
    const unpaced = { maxDelayMs: 0, dailyLimit: 10 };
    assert.equal(claimRoom(unpaced, 0), 10);
    assert.equal(claimRoom(unpaced, 7), 3);
    assert.equal(claimRoom(unpaced, 10), 0);
    assert.equal(claimRoom(unpaced, 12), 0, 'sends over the cap (a lowered cap) still claim nothing');
    assert.equal(claimRoom({ maxDelayMs: 0, dailyLimit: 0 }, 0), 0);
    assert.equal(claimRoom({ maxDelayMs: 5_000, dailyLimit: 10 }, 9), 1);
    assert.equal(claimRoom({ maxDelayMs: 5_000, dailyLimit: 10 }, 10), 0);
  });

  it('pauses between sends within [minDelayMs, maxDelayMs], spread by the random draw', () => {
    const { minDelayMs, maxDelayMs } = PACING_PRESETS.standard;
    assert.equal(pauseAfterSend({ minDelayMs, maxDelayMs }, () => 0), minDelayMs);
    assert.equal(pauseAfterSend({ minDelayMs, maxDelayMs }, () => 0.5), (minDelayMs + maxDelayMs) / 2);
    assert.ok(pauseAfterSend({ minDelayMs, maxDelayMs }, () => 0.999999) < maxDelayMs);
    assert.equal(pauseAfterSend({ minDelayMs: 150, maxDelayMs: 150 }, Math.random), 150);
    for (let i = 0; i < 200; i++) {
      const p = pauseAfterSend(PACING_PRESETS.careful);
      assert.ok(p >= PACING_PRESETS.careful.minDelayMs && p <= PACING_PRESETS.careful.maxDelayMs, `pause ${p}`);
    }
  });

  it('puts a message back untouched when the session is not ready, whatever its attempts', () => {
    assert.deepEqual(afterSendFailure({ kind: 'not-ready' }, 1, QUEUE), { action: 'release' });
    assert.deepEqual(afterSendFailure({ kind: 'not-ready' }, 99, QUEUE), { action: 'release' });
  });

  it('fails a permanent failure at once, and a transient one when the attempts are used up', () => {
    assert.deepEqual(afterSendFailure({ kind: 'permanent' }, 1, QUEUE), { action: 'fail' });
    assert.deepEqual(afterSendFailure({ kind: 'transient' }, 3, QUEUE), { action: 'fail' });
    assert.equal(afterSendFailure({ kind: 'transient' }, 2, QUEUE).action, 'retry');
  });

  it('retries a transient failure after a backoff that doubles and stops at 10 minutes', () => {
    const delay = (attempts: number, r: number) => {
      const next = afterSendFailure({ kind: 'transient' }, attempts, { maxAttempts: 100, retryBaseDelayMs: 1_000 }, () => r);
      assert.equal(next.action, 'retry');
      return (next as { delayMs: number }).delayMs;
    };
    // Equal jitter: half of the ceiling fixed, half random.
    assert.deepEqual([1, 2, 3, 4].map((a) => delay(a, 0)), [500, 1_000, 2_000, 4_000]);
    assert.deepEqual([1, 2, 3, 4].map((a) => delay(a, 1)), [1_000, 2_000, 4_000, 8_000]);
    assert.equal(delay(30, 1), 600_000);
    assert.equal(delay(30, 0), 300_000);
  });

  it('refuses a contact who said NO, and with requireOptIn everyone but a YES', () => {
    assert.equal(optInRefusal('no', false), 'OPTED_OUT');
    assert.equal(optInRefusal('no', true), 'OPTED_OUT');
    assert.equal(optInRefusal(null, false), null);
    assert.equal(optInRefusal('pending', false), null);
    assert.equal(optInRefusal('yes', true), null);
    assert.equal(optInRefusal(null, true), 'NOT_OPTED_IN');
    assert.equal(optInRefusal('pending', true), 'NOT_OPTED_IN');
  });

  it("holds instead of refusing a contact without a YES only with requireOptIn and optInMode 'hold'; a NO is refused in every mode", () => {
    const hold = { requireOptIn: true, optInMode: 'hold' as const };
    const refuse = { requireOptIn: true, optInMode: 'refuse' as const };
    assert.equal(optInOutcome(null, hold), 'HOLD');
    assert.equal(optInOutcome('pending', hold), 'HOLD');
    assert.equal(optInOutcome('yes', hold), null);
    assert.equal(optInOutcome('no', hold), 'OPTED_OUT');
    assert.equal(optInOutcome('pending', refuse), 'NOT_OPTED_IN');
    assert.equal(optInOutcome('no', refuse), 'OPTED_OUT');
    assert.equal(optInOutcome(null, { requireOptIn: false, optInMode: 'hold' }), null);
    assert.equal(optInOutcome('no', { requireOptIn: false, optInMode: 'hold' }), 'OPTED_OUT');
    assert.deepEqual([holdsForOptIn(hold), holdsForOptIn(refuse), holdsForOptIn({ requireOptIn: false, optInMode: 'hold' })], [true, false, false]);
  });
});
