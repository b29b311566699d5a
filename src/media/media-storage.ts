import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** One stored object as a listing sees it. */
export interface StoredObject {
  key: string;
  size: number;
  /** When the object was last written. */
  modifiedAt: Date;
}

/**
 * Where media bytes live, whatever the backend: the local disk (one node), a Postgres table or
 * an S3-compatible bucket (shared by every replica). Keys are relative paths such as
 * `ab/ab12….jpg` (see `assertMediaKey`); media keys are content-addressed, so an object under a
 * key never changes once written (remote backends rely on that for their local file cache).
 */
export interface MediaStorage {
  /** Writes (or overwrites) the object; readers never see a half-written object. */
  put(key: string, data: Buffer): Promise<void>;
  /** @throws MediaObjectNotFoundError */
  read(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  /**
   * A file path on this machine the engine (or ffmpeg) can read. The disk backend answers the
   * stored file itself; remote backends download into a bounded local cache first, so any
   * replica can produce the file.
   * @throws MediaObjectNotFoundError
   */
  localPath(key: string): Promise<string>;
  /** Deletes the object (and any cached copy). Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Objects whose key starts with `prefix` ('' for all), in key order. */
  list(prefix: string): Promise<StoredObject[]>;
}

export const MEDIA_STORAGE = Symbol('MEDIA_STORAGE');

export type MediaStorageBackend = 'disk' | 'postgres' | 's3';

/** No object under the key. */
export class MediaObjectNotFoundError extends Error {
  readonly code = 'MEDIA_OBJECT_NOT_FOUND';
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`No stored media object under '${key}'`, options);
    this.name = 'MediaObjectNotFoundError';
  }
}

const SEGMENT = '[A-Za-z0-9_-][A-Za-z0-9._-]*';
const KEY_PATTERN = new RegExp(`^${SEGMENT}(?:/${SEGMENT})*$`);
const PREFIX_PATTERN = new RegExp(`^(?:${SEGMENT}/)*(?:[A-Za-z0-9_-][A-Za-z0-9._-]*)?$`);
export const MEDIA_KEY_MAX_LENGTH = 512;

/**
 * A key is `/`-separated segments of letters, digits, `.`, `_` and `-`, none empty and none
 * starting with a dot (so no `..`, no hidden files, no absolute paths), at most 512 characters:
 * the same key is a safe relative path on disk, a primary key in Postgres and an S3 object name.
 * @throws RangeError
 */
export function assertMediaKey(key: string): void {
  if (typeof key !== 'string' || key.length > MEDIA_KEY_MAX_LENGTH || !KEY_PATTERN.test(key)) {
    throw new RangeError(`Invalid media key '${String(key).slice(0, 80)}'`);
  }
}

/** A listing prefix: '' or the start of a key (whole segments followed by a partial one). */
export function assertMediaPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || prefix.length > MEDIA_KEY_MAX_LENGTH || !PREFIX_PATTERN.test(prefix)) {
    throw new RangeError(`Invalid media key prefix '${String(prefix).slice(0, 80)}'`);
  }
}

/**
 * Files under one directory (`DATA_DIR/media` by default): the object under `ab/x.jpg` is the
 * file `<root>/ab/x.jpg`. Writes go to a hidden temporary file first and are renamed into place.
 */
export class LocalDiskMediaStorage implements MediaStorage {
  constructor(private readonly root: string) {}

  async put(key: string, data: Buffer): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    // Write then rename: a crash never leaves a half-written file under the final name. The
    // temporary name starts with a dot, which no key does, so listings never see it.
    const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(tmp, data);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async read(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      throw notFoundOr(err, key);
    }
  }

  async exists(key: string): Promise<boolean> {
    const path = this.pathOf(key);
    return stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async localPath(key: string): Promise<string> {
    const path = this.pathOf(key);
    const found = await stat(path).catch(() => null);
    if (!found?.isFile()) throw new MediaObjectNotFoundError(key);
    return path;
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async list(prefix: string): Promise<StoredObject[]> {
    assertMediaPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash);
    const out: StoredObject[] = [];
    await this.walk(base, prefix, out);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private async walk(relDir: string, prefix: string, out: StoredObject[]): Promise<void> {
    const entries = await readdir(relDir ? join(this.root, relDir) : this.root, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const key = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await this.walk(key, prefix, out);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const s = await stat(join(this.root, key)).catch(() => null);
        if (s) out.push({ key, size: s.size, modifiedAt: s.mtime });
      }
    }
  }

  private pathOf(key: string): string {
    assertMediaKey(key);
    return join(this.root, key);
  }
}

function notFoundOr(err: unknown, key: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' ? new MediaObjectNotFoundError(key, { cause: err }) : err;
}
