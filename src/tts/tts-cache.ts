import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { VOICE_NOTE_MIMETYPE, type VoiceNote } from '../media/audio/voice-note';
import { LocalDiskMediaStorage, type MediaStorage } from '../media/media-storage';

/** A cache key: the sha256 (hex) of everything that decides the audio. */
export const CACHE_KEY_PATTERN = /^[0-9a-f]{64}$/;

/** Where the cache keeps its objects (a view of the media storage; see TtsModule). */
export const TTS_CACHE_STORAGE = Symbol('TTS_CACHE_STORAGE');

/** A read refreshes an entry's recency at most this often (a small sidecar write). */
const TOUCH_INTERVAL_MS = 60_000;

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
  /** Last read that refreshed the entry's recency. */
  usedAt?: string;
}

/**
 * Finished voice notes: `<key>.ogg` plus `<key>.json` with the duration and waveform, in the
 * media storage (MEDIA_STORAGE: DATA_DIR/tts-cache on disk, `tts-cache/` in Postgres or S3, so
 * every replica finds what any replica synthesized). The sidecar is written last, so an entry
 * exists only when both objects are complete. Reading an entry rewrites its sidecar (at most
 * once a minute per entry), which makes it recent; above TTS_CACHE_MAX_MB the least recently
 * used entries are deleted through the storage.
 */
@Injectable()
export class TtsCache {
  private readonly logger = new Logger(TtsCache.name);
  private readonly storage: MediaStorage;
  private readonly maxBytes: number;
  private approxBytes: number | undefined;
  private pruning: Promise<void> | undefined;
  /** A put landed while a prune was scanning, so the scanned total may be stale. */
  private putDuringPrune = false;
  private readonly touchedAt = new Map<string, number>();

  constructor(config: AppConfig, @Optional() @Inject(TTS_CACHE_STORAGE) storage?: MediaStorage) {
    this.storage = storage ?? new LocalDiskMediaStorage(config.tts.cacheDir);
    this.maxBytes = config.tts.cacheMaxBytes;
  }

  /** A local file with the audio of an entry (downloaded first when the storage is remote). */
  audioPath(key: string): Promise<string> {
    assertKey(key);
    return this.storage.localPath(`${key}.ogg`);
  }

  /** The cached note, or null when there is no complete, consistent entry for `key`. */
  async find(key: string): Promise<VoiceNote | null> {
    if (!CACHE_KEY_PATTERN.test(key)) return null;
    let meta: TtsCacheEntryMeta;
    let data: Buffer;
    try {
      meta = JSON.parse((await this.storage.read(`${key}.json`)).toString('utf8')) as TtsCacheEntryMeta;
      data = await this.storage.read(`${key}.ogg`);
    } catch {
      return null;
    }
    if (meta.v !== 1 || data.length !== meta.bytes || meta.waveform?.length !== 64) return null;
    this.touch(key, meta);
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
    const meta: TtsCacheEntryMeta = {
      v: 1,
      bytes: note.data.length,
      durationMs: note.durationMs,
      seconds: note.seconds,
      waveform: [...note.waveform],
      ...info,
      createdAt: new Date().toISOString(),
    };
    await this.storage.put(`${key}.ogg`, note.data);
    await this.storage.put(`${key}.json`, Buffer.from(JSON.stringify(meta)));
    if (this.approxBytes !== undefined) this.approxBytes += note.data.length;
    if (this.pruning) this.putDuringPrune = true;
    else if (this.approxBytes === undefined || this.approxBytes > this.maxBytes) this.schedulePrune();
  }

  /** Resolves when no prune is running (tests). */
  async settled(): Promise<void> {
    while (this.pruning) await this.pruning;
  }

  /** Marks the entry used: its sidecar is rewritten, so the storage's write time is now. */
  private touch(key: string, meta: TtsCacheEntryMeta): void {
    const last = this.touchedAt.get(key);
    if (last !== undefined && Date.now() - last < TOUCH_INTERVAL_MS) return;
    this.touchedAt.set(key, Date.now());
    if (this.touchedAt.size > 10_000) this.touchedAt.delete(this.touchedAt.keys().next().value!);
    this.storage.put(`${key}.json`, Buffer.from(JSON.stringify({ ...meta, usedAt: new Date().toISOString() }))).catch(() => undefined);
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
    const objects = new Map((await this.storage.list('')).map((o) => [o.key, o]));
    const entries: { key: string; bytes: number; usedAt: number }[] = [];
    for (const [name, sidecar] of objects) {
      if (!name.endsWith('.json')) continue;
      const key = name.slice(0, -5);
      const audio = objects.get(`${key}.ogg`);
      // Half-written or concurrently deleted entry: skip it.
      if (CACHE_KEY_PATTERN.test(key) && audio) entries.push({ key, bytes: sidecar.size + audio.size, usedAt: sidecar.modifiedAt.getTime() });
    }
    let total = entries.reduce((sum, e) => sum + e.bytes, 0);
    if (total > this.maxBytes) {
      entries.sort((a, b) => a.usedAt - b.usedAt);
      for (const e of entries) {
        if (total <= this.maxBytes * 0.9) break;
        await this.storage.delete(`${e.key}.json`);
        await this.storage.delete(`${e.key}.ogg`);
        this.touchedAt.delete(e.key);
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
