/** What a batch handler gives back for each item: its value, or the error of that item alone. */
export type BatchResult<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Pending<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit per key: items submitted for one key are handled in submission order, one
 * batch at a time; whatever arrives while a batch is being handled forms the next batch (up
 * to `maxBatch`). A lone item is handled at once, so batching adds no waiting; under load,
 * one transaction carries many items. Different keys run concurrently.
 */
export class KeyedBatcher<T, R> {
  private readonly queues = new Map<string, Pending<T, R>[]>();
  private readonly drains = new Map<string, Promise<void>>();

  constructor(
    private readonly handle: (key: string, items: T[]) => Promise<BatchResult<R>[]>,
    private readonly maxBatch = 64,
  ) {}

  submit(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) queue.push({ item, resolve, reject });
      else this.queues.set(key, [{ item, resolve, reject }]);
      if (!this.drains.has(key)) this.drains.set(key, this.drain(key));
    });
  }

  /** Resolves once every item submitted so far has been handled (for shutdown). */
  async idle(): Promise<void> {
    while (this.drains.size) await Promise.all(this.drains.values());
  }

  private async drain(key: string): Promise<void> {
    try {
      for (let queue = this.queues.get(key); queue?.length; queue = this.queues.get(key)) {
        const batch = queue.splice(0, this.maxBatch);
        let results: BatchResult<R>[];
        try {
          results = await this.handle(key, batch.map((p) => p.item));
        } catch (error) {
          results = batch.map(() => ({ ok: false, error }));
        }
        batch.forEach((p, i) => {
          const r = results[i] ?? { ok: false, error: new Error('The batch handler returned no result for this item') };
          if (r.ok) p.resolve(r.value);
          else p.reject(r.error);
        });
      }
    } finally {
      this.queues.delete(key);
      this.drains.delete(key);
    }
  }
}
