import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Where media bytes live. The local-disk implementation is the default; an object store
 * (S3 and the like) implements the same four methods, downloading to a cache for `localPath`.
 */
export interface MediaStorage {
  put(key: string, data: Buffer): Promise<void>;
  read(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  /** A file path the engine can stream from. */
  localPath(key: string): Promise<string>;
}

export const MEDIA_STORAGE = Symbol('MEDIA_STORAGE');

export class LocalDiskMediaStorage implements MediaStorage {
  constructor(private readonly root: string) {}

  async put(key: string, data: Buffer): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    // Write then rename: a crash never leaves a half-written file under the final name.
    const tmp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, target);
  }

  read(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.pathOf(key)).then(
      () => true,
      () => false,
    );
  }

  async localPath(key: string): Promise<string> {
    return this.pathOf(key);
  }

  private pathOf(key: string): string {
    if (!/^[a-z0-9/._-]+$/i.test(key) || key.includes('..')) throw new Error(`Invalid media key ${key}`);
    return join(this.root, key);
  }
}
