import { chmodSync, mkdirSync } from 'node:fs';

/**
 * Everything the server writes (DATA_DIR: admin token, master key, media, TTS cache, the
 * embedded database and its socket) is for its own user only: the process creates files
 * 0600 and directories 0700 (umask 077), and DATA_DIR itself is made 0700, which also closes
 * files written before by an older version.
 * @returns false when DATA_DIR belongs to another user and its mode could not be changed.
 */
export function preparePrivateDataDir(dataDir: string): boolean {
  process.umask(0o077);
  return ensurePrivateDir(dataDir);
}

/** Creates `dir` (and parents) and makes it 0700; false when its mode could not be changed. */
export function ensurePrivateDir(dir: string): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dir, 0o700);
    return true;
  } catch {
    return false;
  }
}
