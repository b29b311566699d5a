import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MasterKey {
  /** Short public id of the key, stored with each ciphertext (never the key itself). */
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** Encrypts everything written. */
  current: MasterKey;
  /** Every key accepted for decryption (the current one included), by id. */
  byId: Map<string, MasterKey>;
  /** Where the current key came from. */
  source: 'MASTER_KEY' | 'AUTH_STATE_KEY' | 'file';
  file: string;
}

export const MASTER_KEY_FILE = 'master.key';

/** 32 bytes as 64 hex characters or base64. @throws Error naming the variable, never the value */
export function parseKey(raw: string, name: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`${name} must be 32 bytes (64 hex characters or base64)`);
  return key;
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update('switchboard-master-key-id\0').update(key).digest('base64url').slice(0, 8);
}

function toKey(key: Buffer): MasterKey {
  return { id: keyId(key), key };
}

/**
 * The master keyring. The current key is MASTER_KEY, else AUTH_STATE_KEY (the older name),
 * else DATA_DIR/master.key, generated (0600) on first start. Previous keys stay readable:
 * MASTER_KEY_PREVIOUS (comma-separated), AUTH_STATE_KEY when MASTER_KEY replaces it, and
 * the key file when an environment key replaces it.
 */
export function loadKeyring(env: { masterKey?: string; previousKeys?: string; authStateKey?: string }, dataDir: string): Keyring {
  const file = join(dataDir, MASTER_KEY_FILE);
  const fromFile = () => {
    if (existsSync(file)) {
      chmodSync(file, 0o600);
      return parseKey(readFileSync(file, 'utf8'), file);
    }
    return null;
  };
  let current: Buffer;
  let source: Keyring['source'];
  const previous: Buffer[] = [];
  if (env.masterKey) {
    current = parseKey(env.masterKey, 'MASTER_KEY');
    source = 'MASTER_KEY';
    if (env.authStateKey) previous.push(parseKey(env.authStateKey, 'AUTH_STATE_KEY'));
    const old = fromFile();
    if (old) previous.push(old);
  } else if (env.authStateKey) {
    current = parseKey(env.authStateKey, 'AUTH_STATE_KEY');
    source = 'AUTH_STATE_KEY';
    const old = fromFile();
    if (old) previous.push(old);
  } else {
    source = 'file';
    current = fromFile() ?? createKeyFile(file);
  }
  for (const raw of (env.previousKeys ?? '').split(',').filter((s) => s.trim())) previous.push(parseKey(raw, 'MASTER_KEY_PREVIOUS'));
  const byId = new Map<string, MasterKey>();
  const currentKey = toKey(current);
  byId.set(currentKey.id, currentKey);
  for (const key of previous) {
    const k = toKey(key);
    if (!byId.has(k.id)) byId.set(k.id, k);
  }
  return { current: currentKey, byId, source, file };
}

/** Writes a new random key; when another process won the race, uses its key. */
function createKeyFile(file: string): Buffer {
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parseKey(readFileSync(file, 'utf8'), file);
  }
}
