import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InsertBatcher } from './insert-batcher';

/** A flush function that records each batch and answers when the test releases it. */
function recorder() {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const flush = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push(items);
      releases.push(() => (items.includes(-1) ? reject(new Error('flush failed')) : resolve(items.map((i) => `row ${i}`))));
    });
  return { batches, flush, release: () => releases.shift()!() };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('InsertBatcher', () => {
  it('flushes a burst that arrives in one event-loop turn as one batch, each caller getting its own row', async () => {
    const r = recorder();
    const batcher = new InsertBatcher(r.flush);
    const results = [1, 2, 3, 4, 5].map((i) => batcher.add(i));
    await turn();
    assert.deepEqual(r.batches, [[1, 2, 3, 4, 5]]);
    r.release();
    assert.deepEqual(await Promise.all(results), ['row 1', 'row 2', 'row 3', 'row 4', 'row 5']);
  });

  it('flushes a lone item in the turn it arrived (no timer)', async () => {
    const r = recorder();
    const batcher = new InsertBatcher(r.flush);
    const one = batcher.add(7);
    await turn();
    assert.deepEqual(r.batches, [[7]]);
    r.release();
    assert.equal(await one, 'row 7');
  });

  it('holds items that arrive during a flush and sends them together, in arrival order, when it ends', async () => {
    const r = recorder();
    const batcher = new InsertBatcher(r.flush);
    const first = batcher.add(1);
    await turn();
    const later = [batcher.add(2)];
    await turn();
    later.push(batcher.add(3), batcher.add(4));
    await turn();
    assert.deepEqual(r.batches, [[1]], 'nothing else goes out while one flush is in flight');
    r.release();
    assert.equal(await first, 'row 1');
    await turn();
    assert.deepEqual(r.batches, [[1], [2, 3, 4]]);
    r.release();
    assert.deepEqual(await Promise.all(later), ['row 2', 'row 3', 'row 4']);
  });

  it('splits a backlog into batches of at most maxBatch', async () => {
    const r = recorder();
    const batcher = new InsertBatcher(r.flush, 2);
    const all = [1, 2, 3, 4, 5].map((i) => batcher.add(i));
    await turn();
    for (let i = 0; i < 3; i++) {
      r.release();
      await turn();
    }
    assert.deepEqual(r.batches, [[1, 2], [3, 4], [5]]);
    assert.equal((await Promise.all(all)).length, 5);
  });

  it('rejects every caller of a failed flush and keeps serving the next ones', async () => {
    const r = recorder();
    const batcher = new InsertBatcher(r.flush);
    const failed = [batcher.add(-1), batcher.add(2)];
    await turn();
    const next = batcher.add(3);
    r.release();
    for (const p of failed) await assert.rejects(p, /flush failed/);
    await turn();
    r.release();
    assert.equal(await next, 'row 3');
  });
});
