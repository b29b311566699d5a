/**
 * Combines concurrent single-row writes into multi-row statements ("group commit"): items
 * that arrive in one turn of the event loop go out together, and while `maxInFlight` flushes
 * are running, new items wait and go out together with the next flush. Under light load an
 * item is flushed in the same turn it arrived (no timer, no added latency); under heavy load
 * one INSERT and one commit carry many rows. Each caller still waits for its own row's
 * commit, so an acknowledged item is durable.
 *
 * The flush waits for the end of the current turn (setImmediate) because requests that
 * reach the server together are parsed, authenticated and validated one after another in
 * that turn: flushing the first at once sent it alone and left the rest of the burst waiting
 * for its round trip and then for their own.
 */
export class InsertBatcher<In, Out> {
  private pending: { item: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly flushFn: (items: In[]) => Promise<Out[]>,
    private readonly maxBatch = 200,
    private readonly maxInFlight = 1,
  ) {}

  add(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled && this.inFlight < this.maxInFlight) {
        this.scheduled = true;
        setImmediate(this.endOfTurn);
      }
    });
  }

  private readonly endOfTurn = (): void => {
    this.scheduled = false;
    this.pump();
  };

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
