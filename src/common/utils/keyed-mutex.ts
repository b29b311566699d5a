/**
 * Serializes async work per key (one lifecycle operation per session at a time), like
 * WAHA's `withLock`. Work for different keys runs concurrently.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  isLocked(key: string): boolean {
    return this.tails.has(key);
  }

  /** Resolves once the work queued so far, for every key, has finished (for shutdown). */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all(this.tails.values());
  }

  /**
   * Runs `work` once the key is free, waiting at most `waitMs` for work already in flight;
   * throws `onBusy()` instead of queueing behind a long operation.
   */
  async runWithin<T>(key: string, waitMs: number, work: () => Promise<T>, onBusy: () => Error): Promise<T> {
    const deadline = Date.now() + waitMs;
    for (let tail = this.tails.get(key); tail; tail = this.tails.get(key)) {
      const remaining = deadline - Date.now();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        tail.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), Math.max(0, remaining)))),
      ]);
      clearTimeout(timer);
      if (timedOut) throw onBusy();
    }
    return this.run(key, work);
  }

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(work, work);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
