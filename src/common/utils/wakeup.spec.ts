import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Wakeup } from './wakeup';

describe('Wakeup', () => {
  it('cuts a sleep short and remembers a wake-up that came first', async () => {
    const w = new Wakeup();
    const started = Date.now();
    setTimeout(() => w.wake(), 20);
    await w.sleep(5_000);
    assert.ok(Date.now() - started < 1_000);
    w.wake();
    assert.equal(w.isPending, true);
    const again = Date.now();
    await w.sleep(5_000);
    assert.ok(Date.now() - again < 50);
    assert.equal(w.isPending, false);
  });

  it('sleeps the full time without a wake-up', async () => {
    const w = new Wakeup();
    const started = Date.now();
    await w.sleep(60);
    assert.ok(Date.now() - started >= 55);
  });
});
