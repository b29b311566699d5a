import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DisconnectReason } from '../whatsapp/engine/engine-events';
import { backoffDelay, decideReconnect, type ReconnectSettings } from './reconnect-policy';

const settings: ReconnectSettings = { baseDelayMs: 1000, maxDelayMs: 60_000, maxAttempts: 5, replacedDelayMs: 30_000 };
const ctx = (reason: DisconnectReason, attempts = 0, replacedCount = 0) => ({ reason, attempts, replacedCount });

describe('decideReconnect', () => {
  it('reconnects at once after restart-required (515), without counting an attempt', () => {
    assert.deepEqual(decideReconnect(ctx(DisconnectReason.RESTART_REQUIRED, 3), settings), {
      action: 'reconnect',
      delayMs: 0,
      countsAsAttempt: false,
    });
  });

  for (const reason of [DisconnectReason.LOGGED_OUT, DisconnectReason.FORBIDDEN, DisconnectReason.MULTIDEVICE_MISMATCH]) {
    it(`treats ${reason} as terminal logout`, () => {
      assert.deepEqual(decideReconnect(ctx(reason), settings), { action: 'logged-out' });
    });
  }

  it('reconnects once after a replaced connection, then stops', () => {
    assert.deepEqual(decideReconnect(ctx(DisconnectReason.CONNECTION_REPLACED, 0, 0), settings), {
      action: 'reconnect',
      delayMs: 30_000,
      countsAsAttempt: true,
    });
    assert.deepEqual(decideReconnect(ctx(DisconnectReason.CONNECTION_REPLACED, 1, 1), settings), {
      action: 'stop',
      reason: DisconnectReason.CONNECTION_REPLACED,
    });
  });

  it('stops when the QR expired or the client version is rejected', () => {
    assert.equal(decideReconnect(ctx(DisconnectReason.QR_EXPIRED), settings).action, 'stop');
    assert.equal(decideReconnect(ctx(DisconnectReason.VERSION_REJECTED), settings).action, 'stop');
  });

  it('backs off on transient closes and gives up after maxAttempts', () => {
    const d0 = decideReconnect(ctx(DisconnectReason.CONNECTION_LOST, 0), settings, () => 0);
    const d3 = decideReconnect(ctx(DisconnectReason.CONNECTION_LOST, 3), settings, () => 0);
    assert.deepEqual(d0, { action: 'reconnect', delayMs: 500, countsAsAttempt: true });
    assert.deepEqual(d3, { action: 'reconnect', delayMs: 4000, countsAsAttempt: true });
    assert.deepEqual(decideReconnect(ctx(DisconnectReason.BAD_SESSION, 5), settings), {
      action: 'stop',
      reason: 'RECONNECT_ATTEMPTS_EXHAUSTED',
    });
  });

  it('retries forever when maxAttempts is 0', () => {
    assert.equal(decideReconnect(ctx(DisconnectReason.UNAVAILABLE, 10_000), { ...settings, maxAttempts: 0 }).action, 'reconnect');
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter in the upper half', () => {
    assert.equal(backoffDelay(0, settings, () => 1), 1000);
    assert.equal(backoffDelay(1, settings, () => 1), 2000);
    assert.equal(backoffDelay(10, settings, () => 1), 60_000);
    assert.equal(backoffDelay(10, settings, () => 0), 30_000);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(2, settings);
      assert.ok(d >= 2000 && d <= 4000, `delay ${d}`);
    }
  });
});
