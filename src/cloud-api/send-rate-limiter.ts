/**
 * Meta's throughput limit per phone number (80 messages per second by default): a sliding
 * one-second window per session. Beyond it the facade answers 130429, as Meta does; the
 * native API has no such limit since its queue paces sends anyway.
 */
export class SendRateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a send; false when the session already had `perSecond` sends in the last second. */
  tryTake(key: string): boolean {
    if (this.perSecond <= 0) return true;
    const now = this.now();
    const stamps = (this.windows.get(key) ?? []).filter((t) => now - t < 1000);
    if (stamps.length >= this.perSecond) {
      this.windows.set(key, stamps);
      return false;
    }
    stamps.push(now);
    this.windows.set(key, stamps);
    if (this.windows.size > 10_000) this.windows.delete(this.windows.keys().next().value!);
    return true;
  }
}
