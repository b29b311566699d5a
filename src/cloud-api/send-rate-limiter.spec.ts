import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SendRateLimiter } from './send-rate-limiter';

describe('SendRateLimiter', () => {
  it('allows N sends per second per session and frees slots as the window slides', () => {
    let now = 0;
    const limiter = new SendRateLimiter(2, () => now);
    assert.equal(limiter.tryTake('a'), true);
    assert.equal(limiter.tryTake('a'), true);
    assert.equal(limiter.tryTake('a'), false);
    assert.equal(limiter.tryTake('b'), true);
    now = 999;
    assert.equal(limiter.tryTake('a'), false);
    now = 1000;
    assert.equal(limiter.tryTake('a'), true);
  });

  it('is off at 0', () => {
    const limiter = new SendRateLimiter(0);
    for (let i = 0; i < 1000; i++) assert.equal(limiter.tryTake('a'), true);
  });
});
