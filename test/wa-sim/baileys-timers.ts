/**
 * TEST-ONLY: stop Baileys' leftover long timers from keeping a test process alive.
 *
 * Baileys 7.0.0-rc14 leaves referenced timers behind after `sock.end()`:
 *  - every pre-key upload races a 30 s `UPLOAD_TIMEOUT` timer that is never cleared
 *    (uploadPreKeys, lib/Socket/socket.js) — so each first login after linking pins the
 *    process for 30 s;
 *  - queries still in flight when the socket ends keep their `defaultQueryTimeoutMs`
 *    (60 s) timer, because end() removes the ws 'close' listener that would reject them
 *    (waitForMessage, lib/Socket/socket.js).
 * In production that is harmless; in a test file it delays exit by up to a minute. This
 * wraps `setTimeout` so timers of ≥ 10 s created from Baileys' own code are unref'd.
 * Timers created by anything else are untouched.
 */
let installed = false;

export function unrefBaileysLongTimers(minMs = 10_000): void {
  if (installed) return;
  installed = true;
  const original = globalThis.setTimeout;
  const patched = function (this: unknown, handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) {
    const timer = original(handler, ms, ...args);
    if (typeof ms === 'number' && ms >= minMs) {
      const stack = new Error().stack ?? '';
      if (stack.includes('@whiskeysockets/baileys')) timer.unref?.();
    }
    return timer;
  };
  Object.assign(patched, original);
  globalThis.setTimeout = patched as unknown as typeof setTimeout;
}
