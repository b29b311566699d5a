import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedMutex } from './keyed-mutex';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyedMutex', () => {
  it('serializes work per key and runs other keys concurrently', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const job = (key: string, name: string, ms: number) =>
      mutex.run(key, async () => {
        log.push(`start ${name}`);
        await sleep(ms);
        log.push(`end ${name}`);
      });
    await Promise.all([job('a', 'a1', 30), job('a', 'a2', 1), job('b', 'b1', 5)]);
    assert.deepEqual(log.slice(0, 2), ['start a1', 'start b1']);
    assert.ok(log.indexOf('end a1') < log.indexOf('start a2'));
    assert.equal(mutex.isLocked('a'), false);
  });

  it('keeps going after a failed job', async () => {
    const mutex = new KeyedMutex();
    await assert.rejects(mutex.run('k', async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await mutex.run('k', async () => 42), 42);
  });

  it('runWithin throws the busy error when the key stays locked too long', async () => {
    const mutex = new KeyedMutex();
    const slow = mutex.run('k', () => sleep(100));
    await assert.rejects(
      mutex.runWithin('k', 10, async () => 'never', () => new Error('busy')),
      /busy/,
    );
    assert.equal(await mutex.runWithin('k', 500, async () => 'ran', () => new Error('busy')), 'ran');
    await slow;
  });
  it('idle() waits for queued work on every key, including work queued meanwhile', async () => {
    const m = new KeyedMutex();
    const done: string[] = [];
    const later = (key: string, ms: number) => m.run(key, () => new Promise<void>((r) => setTimeout(() => (done.push(key), r()), ms)));
    void later('a', 30);
    void later('b', 10).then(() => void later('c', 20));
    await m.idle();
    assert.deepEqual(done.sort(), ['a', 'b', 'c']);
    assert.equal(m.isLocked('a') || m.isLocked('b') || m.isLocked('c'), false);
  });
});
