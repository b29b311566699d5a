import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedBatcher } from './keyed-batcher';

describe('KeyedBatcher', () => {
  it('handles a lone item at once and groups what arrives meanwhile, in order', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new KeyedBatcher<number, number>(async (_key, items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((n) => ({ ok: true, value: n * 10 }));
    });
    const first = batcher.submit('s', 1);
    const rest = [2, 3, 4].map((n) => batcher.submit('s', n));
    release();
    assert.deepEqual(await Promise.all([first, ...rest]), [10, 20, 30, 40]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it('rejects only the items that failed, and every item of a batch whose handler threw', async () => {
    let calls = 0;
    const batcher = new KeyedBatcher<number, number>(async (_key, items) => {
      if (++calls === 1) throw new Error('db down');
      return items.map((n) => (n % 2 ? { ok: true, value: n } : { ok: false, error: new Error(`bad ${n}`) }));
    });
    await assert.rejects(batcher.submit('s', 1), /db down/);
    const results = await Promise.allSettled([batcher.submit('s', 3), batcher.submit('s', 4)]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected']);
  });

  it('runs different keys concurrently and caps a batch at maxBatch', async () => {
    const seen: string[] = [];
    const batcher = new KeyedBatcher<number, number>(async (key, items) => {
      seen.push(`${key}:${items.length}`);
      await new Promise((r) => setImmediate(r));
      return items.map((n) => ({ ok: true, value: n }));
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit('a', n)).concat([batcher.submit('b', 9)]));
    await batcher.idle();
    assert.deepEqual(seen.filter((s) => s.startsWith('a')), ['a:1', 'a:2', 'a:2']);
    assert.ok(seen.includes('b:1'));
  });
});
