/**
 * Test helper: a real Baileys socket pointed at a WaSimulator, with an in-memory auth
 * state and recorded events you can wait on. Used by the specs here and usable by other
 * test suites that want to drive Baileys directly.
 */
import makeWASocket, {
  Browsers,
  initAuthCreds,
  makeCacheableSignalKeyStore,
  type AuthenticationCreds,
  type BaileysEventMap,
  type ConnectionState,
  type SignalKeyStore,
  type UserFacingSocketConfig,
  type WASocket,
} from '@whiskeysockets/baileys';
import { unrefBaileysLongTimers } from './baileys-timers';
import { makeMemoryKeyStore } from './signal-party';
import { SILENT_LOGGER } from './silent-logger';

/** In-memory auth state; Baileys mutates `creds` in place, so reuse the object to reconnect. */
export interface MemoryAuth {
  creds: AuthenticationCreds;
  keys: SignalKeyStore;
}

export function memoryAuth(): MemoryAuth {
  return { creds: initAuthCreds(), keys: makeMemoryKeyStore() };
}

type Recorded = { [K in keyof BaileysEventMap]?: Array<BaileysEventMap[K]> };

export interface TestClient {
  sock: WASocket;
  auth: MemoryAuth;
  events: Recorded;
  /** Resolve with the first recorded (past or future) event of `name` that matches. */
  waitFor<K extends keyof BaileysEventMap>(name: K, predicate?: (e: BaileysEventMap[K]) => boolean, timeoutMs?: number): Promise<BaileysEventMap[K]>;
  waitForQr(timeoutMs?: number): Promise<string>;
  waitForOpen(timeoutMs?: number): Promise<void>;
  /** Wait for `connection: 'close'`; resolves with the Boom status code. */
  waitForClose(timeoutMs?: number): Promise<number | undefined>;
  end(): Promise<void>;
}

const RECORDED: Array<keyof BaileysEventMap> = [
  'connection.update',
  'creds.update',
  'messages.upsert',
  'messages.update',
  'message-receipt.update',
  'messaging-history.set',
];

export function closeCode(update: Partial<ConnectionState>): number | undefined {
  const err = update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined;
  return err?.output?.statusCode;
}

export function connectClient(url: string, auth: MemoryAuth = memoryAuth(), extra: Partial<UserFacingSocketConfig> = {}): TestClient {
  unrefBaileysLongTimers();
  const sock = makeWASocket({
    waWebSocketUrl: url,
    auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(auth.keys, SILENT_LOGGER) },
    logger: SILENT_LOGGER,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    shouldSyncHistoryMessage: () => false,
    browser: Browsers.ubuntu('Chrome'),
    connectTimeoutMs: 10_000,
    ...extra,
  });
  const events: Recorded = {};
  const waiters: Array<{ name: keyof BaileysEventMap; check: (e: unknown) => boolean; resolve: (e: unknown) => void }> = [];
  for (const name of RECORDED) {
    events[name] = [];
    sock.ev.on(name, (e: unknown) => {
      (events[name] as unknown[]).push(e);
      for (const w of [...waiters]) {
        if (w.name === name && w.check(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
  }

  const waitFor: TestClient['waitFor'] = (name, predicate = () => true, timeoutMs = 8000) => {
    const past = (events[name] as unknown[] | undefined)?.find((e) => predicate(e as never));
    if (past) return Promise.resolve(past as never);
    return new Promise((resolve, reject) => {
      const w = {
        name,
        check: (e: unknown) => predicate(e as never),
        resolve: (e: unknown) => {
          clearTimeout(timer);
          resolve(e as never);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(name)}`));
      }, timeoutMs);
      waiters.push(w);
    });
  };

  let ended = false;
  return {
    sock,
    auth,
    events,
    waitFor,
    async waitForQr(timeoutMs = 8000) {
      const u = await waitFor('connection.update', (u) => !!u.qr, timeoutMs);
      return u.qr!;
    },
    async waitForOpen(timeoutMs = 8000) {
      const u = await waitFor('connection.update', (u) => u.connection === 'open' || u.connection === 'close', timeoutMs);
      if (u.connection === 'close') throw new Error(`connection closed with ${closeCode(u)} instead of opening`);
    },
    async waitForClose(timeoutMs = 8000) {
      const u = await waitFor('connection.update', (u) => u.connection === 'close', timeoutMs);
      return closeCode(u);
    },
    async end() {
      if (ended) return;
      ended = true;
      const closed = events['connection.update']!.some((u) => u.connection === 'close');
      if (!closed) {
        const done = waitFor('connection.update', (u) => u.connection === 'close', 3000).catch(() => undefined);
        sock.end(undefined);
        await done;
      }
    },
  };
}
