import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';

/** A cached file read within this long is never evicted (the engine may be streaming it). */
const IN_USE_MS = 10 * 60_000;

/**
 * Local copies of remote media objects, for the callers that need a file path (the WhatsApp
 * engine streams from a path; ffmpeg reads one). A copy is a plain file `<dir>/<key>`, written to
 * a temporary name and renamed, so it is either complete or absent; concurrent requests for one
 * key share one download. Above `maxBytes` the least recently used copies are deleted (never one
 * used in the last ten minutes). The cache is disposable: any replica refills it from the
 * backend, and deleting the directory loses nothing.
 */
export class LocalFileCache {
  private readonly logger = new Logger(LocalFileCache.name);
  private readonly downloads = new Map<string, Promise<string>>();
  private approxBytes: number | undefined;
  private pruning: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  /** The cached file of `key`, downloaded with `download(targetPath)` when it is not there yet. */
  async path(key: string, download: (target: string) => Promise<void>): Promise<string> {
    const target = join(this.dir, key);
    const found = await stat(target).catch(() => null);
    if (found?.isFile()) {
      const now = new Date();
      await utimes(target, now, now).catch(() => undefined);
      return target;
    }
    const pending = this.downloads.get(key);
    if (pending) return pending;
    const work = this.fill(key, target, download).finally(() => this.downloads.delete(key));
    this.downloads.set(key, work);
    return work;
  }

  /** Drops the cached copy of `key` (after the object was overwritten or deleted). */
  async forget(key: string): Promise<void> {
    await rm(join(this.dir, key), { force: true });
  }

  /** Resolves when no eviction is running (tests). */
  async settled(): Promise<void> {
    while (this.pruning) await this.pruning;
  }

  private async fill(key: string, target: string, download: (target: string) => Promise<void>): Promise<string> {
    const tmpDir = join(this.dir, '.incoming');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomBytes(8).toString('hex'));
    try {
      await download(tmp);
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    const size = (await stat(target)).size;
    if (this.approxBytes !== undefined) this.approxBytes += size;
    if (this.approxBytes === undefined || this.approxBytes > this.maxBytes) this.schedulePrune();
    return target;
  }

  private schedulePrune(): void {
    this.pruning ??= this.prune()
      .catch((err) => this.logger.warn({ err }, 'Media cache eviction failed'))
      .finally(() => (this.pruning = undefined));
  }

  private async prune(): Promise<void> {
    const files: { path: string; size: number; usedAt: number }[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (entry.name.startsWith('.')) continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else {
          const s = await stat(full).catch(() => null);
          if (s) files.push({ path: full, size: s.size, usedAt: s.mtimeMs });
        }
      }
    };
    await walk(this.dir);
    let total = files.reduce((sum, f) => sum + f.size, 0);
    if (total > this.maxBytes) {
      const cutoff = Date.now() - IN_USE_MS;
      for (const f of files.sort((a, b) => a.usedAt - b.usedAt)) {
        if (total <= this.maxBytes * 0.9 || f.usedAt > cutoff) break;
        await rm(f.path, { force: true });
        total -= f.size;
      }
    }
    this.approxBytes = total;
  }
}
