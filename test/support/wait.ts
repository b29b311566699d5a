/**
 * Waiting on conditions instead of sleeping: a test waits exactly as long as the system needs
 * (fast on an idle machine, still green on a loaded one) and, when it gives up, says what it
 * was waiting for.
 */

export interface WaitOptions {
  /** Give up after this long; never less than MIN_WAIT_MS. */
  timeout?: number;
  /** What is awaited, for the failure message. */
  what?: string;
  /** Poll interval (default 25 ms). */
  interval?: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The least time any wait gets, whatever its caller asked (TEST_MIN_WAIT_MS, default 15 s): a
 * met condition returns at once, so a generous bound costs nothing when the machine is idle and
 * keeps a loaded one (a shared CI runner, a parallel run) from turning a slow pass into a failure.
 */
export const MIN_WAIT_MS = Number(process.env.TEST_MIN_WAIT_MS) || 15_000;

/** A caller's timeout, raised to MIN_WAIT_MS. */
export const waitTimeout = (ms: number | undefined): number => Math.max(ms ?? 0, MIN_WAIT_MS);

/**
 * Polls `condition` until it returns a truthy value, and returns that value. A throw counts
 * as "not yet"; the last one is quoted when the wait gives up.
 */
export async function waitFor<T>(condition: () => T | undefined | null | false | Promise<T | undefined | null | false>, options: WaitOptions = {}): Promise<T> {
  const { what = 'condition', interval = 25 } = options;
  const timeout = waitTimeout(options.timeout);
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`waitFor: ${what} not met within ${timeout} ms${last ? `: ${String(last)}` : ''}`);
    await pause(interval);
  }
}

/**
 * Checks that `condition` stays true for `options.for` ms (default 200), polling it all along
 * and failing at the first moment it does not hold: for "nothing more happens" (no reconnect
 * after giving up, no delivery while paused), where no event can be awaited. A slow machine
 * only makes the check less sensitive, never red.
 */
export async function holds(condition: () => boolean | Promise<boolean>, options: { for?: number; what?: string; interval?: number } = {}): Promise<void> {
  const { for: window = 200, what = 'condition', interval = 25 } = options;
  const until = Date.now() + window;
  for (;;) {
    if (!(await condition())) throw new Error(`holds: ${what} stopped holding`);
    if (Date.now() >= until) return;
    await pause(interval);
  }
}
