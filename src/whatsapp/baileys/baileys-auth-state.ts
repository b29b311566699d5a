import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import type { AuthKeyWrite, AuthStateStore } from '../auth-state/auth-state.store';
import type { WriteFence } from '../engine/whatsapp-engine.port';

const encode = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);
const decode = <T>(value: string): T => JSON.parse(value, BufferJSON.reviver) as T;

export interface DbAuthState {
  state: AuthenticationState;
  /** Persists the whole creds object (Baileys mutates it in place on every creds.update). */
  saveCreds(): Promise<void>;
}

/**
 * Baileys' `AuthenticationState` over the Postgres auth-state store: the database
 * equivalent of `useMultiFileAuthState`. `keys.set` is one transaction per call, as Baileys'
 * transaction layer expects (it buffers writes and commits them through a single `set`).
 */
export async function useDbAuthState(store: AuthStateStore, sessionId: string, fence?: WriteFence): Promise<DbAuthState> {
  const stored = await store.readCreds(sessionId);
  let creds: AuthenticationCreds = stored ? decode<AuthenticationCreds>(stored) : initAuthCreds();

  // `requestPairingCode` writes `creds.me` before the link completes; an abandoned pairing
  // would make the next socket log in instead of registering (Socket/socket.js picks login
  // vs registration on `creds.me` alone), so half-linked creds start over.
  if (!isLinked(creds) && creds.me) {
    await store.clear(sessionId);
    creds = initAuthCreds();
  }

  const absent = new AbsentKeys();
  const keys: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      const toRead = ids.filter((id) => !absent.has(type, id));
      if (!toRead.length) return out;
      const version = absent.version;
      const rows = await store.read(sessionId, type, toRead);
      absent.addMissing(type, toRead, rows, version);
      for (const [id, raw] of rows) {
        let value = decode<unknown>(raw);
        // Stored as plain JSON; Baileys needs the protobuf message back (as useMultiFileAuthState does).
        if (type === 'app-state-sync-key' && value) value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
        out[id] = value as SignalDataTypeMap[T];
      }
      return out;
    },
    async set(data: SignalDataSet) {
      const writes: AuthKeyWrite[] = [];
      for (const type of Object.keys(data) as (keyof SignalDataTypeMap)[]) {
        for (const [id, value] of Object.entries(data[type] ?? {})) {
          writes.push({ type, id, value: value == null ? null : encode(value) });
        }
      }
      absent.written(writes);
      await store.write(sessionId, writes, fence);
    },
    async clear() {
      absent.reset();
      await store.clear(sessionId);
    },
  };

  return {
    state: { creds, keys },
    saveCreds: () => store.writeCreds(sessionId, encode(creds), fence),
  };
}

/** Most ids remembered as absent (per state); the oldest are forgotten first. */
const ABSENT_LIMIT = 20_000;

/**
 * Ids read from the database and not found there, so the next read of them costs no query.
 * Baileys asks for some keys that usually do not exist on every send (privacy tokens and their
 * index, sessions of devices not yet set up), and its key cache remembers only what it found.
 * Sound because only this state writes the session's keys (the lease) and every write passes
 * `written`; a read that overlapped a write remembers nothing.
 */
class AbsentKeys {
  private readonly ids = new Set<string>();
  /** Bumped on every write, so a read that overlapped one does not mark anything absent. */
  version = 0;

  has(type: string, id: string): boolean {
    return this.ids.has(`${type}\u0000${id}`);
  }

  addMissing(type: string, asked: string[], found: Map<string, string>, versionBefore: number): void {
    if (this.version !== versionBefore) return;
    for (const id of asked) {
      if (found.has(id)) continue;
      this.ids.add(`${type}\u0000${id}`);
      if (this.ids.size > ABSENT_LIMIT) this.ids.delete(this.ids.values().next().value!);
    }
  }

  written(writes: AuthKeyWrite[]): void {
    this.version++;
    for (const w of writes) {
      const key = `${w.type}\u0000${w.id}`;
      if (w.value === null) this.ids.add(key);
      else this.ids.delete(key);
    }
  }

  reset(): void {
    this.version++;
    this.ids.clear();
  }
}

/** Linked means pair-success happened: both `me` and the signed `account` are set. */
export function isLinked(creds: AuthenticationCreds): boolean {
  return Boolean(creds.me?.id && creds.account);
}
