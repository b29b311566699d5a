import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { VOICE_NOTE_MIMETYPE, type VoiceNote } from '../media/audio/voice-note';

/** A cache key: the sha256 (hex) of everything that decides the audio. */
export const CACHE_KEY_PATTERN = /^[0-9a-f]{64}$/;

/** The JSON sidecar stored next to `<key>.ogg`. */
export interface TtsCacheEntryMeta {
  v: 1;
  bytes: number;
  durationMs: number;
  seconds: number;
  waveform: number[];
  provider: string;
  model: string;
  voice: string;
  speed: number;
  chunks: number;
  createdAt: string;
}

/**
 * Finished voice notes on disk: `DATA_DIR/tts-cache/<key>.ogg` plus `<key>.json` with the
 * duration and waveform. The sidecar is written last (both by rename), so an entry exists
 * only when both files are complete. Reading an entry refreshes its mtime; above
 * TTS_CACHE_MAX_MB the least recently used entries are deleted.
 */
@Injectable()
export class TtsCache {
  private readonly logger = new Logger(TtsCache.name);
  private readonly dir: string;
  private readonly maxBytes: number;
  private ready: Promise<void> | undefined;
  private approxBytes: number | undefined;
  private pruning: Promise<void> | undefined;
  /** A put landed while a prune was scanning, so the scanned total may be stale. */
  private putDuringPrune = false;

  constructor(config: AppConfig) {
    this.dir = config.tts.cacheDir;
    this.maxBytes = config.tts.cacheMaxBytes;
  }

  /** Path of the audio file of an entry (it may not exist). */
  audioPath(key: string): string {
    assertKey(key);
    return join(this.dir, `${key}.ogg`);
  }

  /** The cached note, or null when there is no complete, consistent entry for `key`. */
  async find(key: string): Promise<VoiceNote | null> {
    if (!CACHE_KEY_PATTERN.test(key)) return null;
    const metaPath = join(this.dir, `${key}.json`);
    let meta: TtsCacheEntryMeta;
    let data: Buffer;
    try {
      meta = JSON.parse(await readFile(metaPath, 'utf8')) as TtsCacheEntryMeta;
      data = await readFile(join(this.dir, `${key}.ogg`));
    } catch {
      return null;
    }
    if (meta.v !== 1 || data.length !== meta.bytes || meta.waveform?.length !== 64) return null;
    const now = new Date();
    utimes(metaPath, now, now).catch(() => undefined);
    return {
      data,
      mimetype: VOICE_NOTE_MIMETYPE,
      seconds: meta.seconds,
      durationMs: meta.durationMs,
      waveform: Uint8Array.from(meta.waveform),
    };
  }

  /** Stores a finished note. Overwrites an existing entry with the same key (same content). */
  async put(key: string, note: VoiceNote, info: Omit<TtsCacheEntryMeta, 'v' | 'bytes' | 'durationMs' | 'seconds' | 'waveform' | 'createdAt'>): Promise<void> {
    assertKey(key);
    await this.ensureDir();
    const meta: TtsCacheEntryMeta = {
      v: 1,
      bytes: note.data.length,
      durationMs: note.durationMs,
      seconds: note.seconds,
      waveform: [...note.waveform],
      ...info,
      createdAt: new Date().toISOString(),
    };
    await writeAtomically(join(this.dir, `${key}.ogg`), note.data);
    await writeAtomically(join(this.dir, `${key}.json`), JSON.stringify(meta));
    if (this.approxBytes !== undefined) this.approxBytes += note.data.length;
    if (this.pruning) this.putDuringPrune = true;
    else if (this.approxBytes === undefined || this.approxBytes > this.maxBytes) this.schedulePrune();
  }

  /** Resolves when no prune is running (tests). */
  async settled(): Promise<void> {
    while (this.pruning) await this.pruning;
  }

  private ensureDir(): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    return this.ready;
  }

  private schedulePrune(): void {
    if (this.pruning) return;
    this.putDuringPrune = false;
    this.pruning = this.prune()
      .catch((err) => this.logger.warn({ err }, 'TTS cache prune failed'))
      .finally(() => {
        this.pruning = undefined;
        if (this.putDuringPrune) this.schedulePrune();
      });
  }

  /** Deletes least recently used entries until the cache is under 90% of its limit. */
  private async prune(): Promise<void> {
    const entries: { key: string; bytes: number; usedAt: number }[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const key = name.slice(0, -5);
      try {
        const [meta, audio] = await Promise.all([stat(join(this.dir, name)), stat(join(this.dir, `${key}.ogg`))]);
        entries.push({ key, bytes: meta.size + audio.size, usedAt: meta.mtimeMs });
      } catch {
        // Half-written or concurrently deleted entry: skip it.
      }
    }
    let total = entries.reduce((sum, e) => sum + e.bytes, 0);
    if (total > this.maxBytes) {
      entries.sort((a, b) => a.usedAt - b.usedAt);
      for (const e of entries) {
        if (total <= this.maxBytes * 0.9) break;
        await rm(join(this.dir, `${e.key}.json`), { force: true });
        await rm(join(this.dir, `${e.key}.ogg`), { force: true });
        total -= e.bytes;
      }
      this.logger.log({ bytes: total }, 'TTS cache pruned');
    }
    this.approxBytes = total;
  }
}

function assertKey(key: string): void {
  if (!CACHE_KEY_PATTERN.test(key)) throw new RangeError('invalid TTS cache key');
}

async function writeAtomically(path: string, data: Buffer | string): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
