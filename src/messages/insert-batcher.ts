/**
 * Combines concurrent single-row writes into multi-row statements ("group commit"): while
 * `maxInFlight` flushes are running, new items wait and go out together with the next flush.
 * Under light load every item is flushed at once (no added latency); under heavy load one
 * INSERT and one commit carry many rows. Each caller still waits for its own row's commit,
 * so an acknowledged item is durable.
 */
export class InsertBatcher<In, Out> {
  private pending: { item: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly flushFn: (items: In[]) => Promise<Out[]>,
    private readonly maxBatch = 200,
    private readonly maxInFlight = 1,
  ) {}

  add(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight += 1;
      this.flushFn(batch.map((b) => b.item))
        .then(
          (results) => batch.forEach((b, i) => b.resolve(results[i])),
          (err) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }
}
