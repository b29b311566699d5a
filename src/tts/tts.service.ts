import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import type { VoiceNote } from '../media/audio/voice-note';
import { VoiceNoteService } from '../media/audio/voice-note.service';
import { splitText } from './text-chunker';
import { TtsCache } from './tts-cache';
import { ttsError } from './tts-errors';
import { TTS_PROVIDER, type TtsProvider, type TtsProviderId, type TtsVoice } from './tts-provider.port';

export const MIN_SPEED = 0.25;
export const MAX_SPEED = 4;

/** The speed presets clients offer (the session-manager contract names 0.75 Slow and 1.00 Normal). */
export const TTS_SPEEDS: { value: string; label: string }[] = [
  { value: '0.75', label: 'Slow' },
  { value: '1.00', label: 'Normal' },
  { value: '1.25', label: 'Fast' },
  { value: '1.50', label: 'Faster' },
  { value: '2.00', label: 'Very fast' },
];

/** Provider requests for one note run at most this many at a time. */
const CHUNK_CONCURRENCY = 3;

export interface TtsRequest {
  text: string;
  /** Defaults to TTS_VOICE or the provider's default. */
  voice?: string;
  /** 0.25–4, default 1. */
  speed?: number;
  /** Style guidance for models that take it (gpt-4o-mini-tts); ignored by others. */
  instructions?: string;
}

/** A request with defaults applied and validated, and the cache key of its audio. */
export interface ResolvedTtsRequest {
  cacheKey: string;
  provider: TtsProviderId;
  model: string;
  text: string;
  voice: string;
  speed: number;
  instructions?: string;
}

export interface TtsVoiceNoteResult {
  note: VoiceNote;
  /** Stable reference to the audio: `getCached(cacheKey)` returns it without calling the provider. */
  cacheKey: string;
  /** True when no provider call was made for this request (disk cache or a request already in flight). */
  cached: boolean;
  /** Who spoke: the provider (`openai`, or `espeak` offline), its model and the voice used. */
  provider: TtsProviderId;
  model: string;
  voice: string;
}

export interface TtsCatalog {
  provider: TtsProviderId;
  label: string;
  model: string;
  defaultVoice: string;
  voices: TtsVoice[];
  speeds: { value: string; label: string }[];
  maxTextChars: number;
  supportsInstructions: boolean;
}

/**
 * Text to WhatsApp voice notes: validates, splits long text at sentence boundaries,
 * synthesizes the chunks, joins them into one Ogg Opus note, and caches the result on disk
 * by a hash of everything that decides the audio. Identical concurrent requests share one
 * provider call.
 */
@Injectable()
export class TtsService {
  private readonly logger = new Logger(TtsService.name);
  private readonly inFlight = new Map<string, Promise<{ note: VoiceNote; cached: boolean }>>();

  constructor(
    @Inject(TTS_PROVIDER) private readonly provider: TtsProvider,
    private readonly voiceNotes: VoiceNoteService,
    private readonly cache: TtsCache,
    private readonly config: AppConfig,
  ) {}

  /** What the configured provider offers. */
  async catalog(): Promise<TtsCatalog> {
    const p = this.provider;
    return {
      provider: p.id,
      label: p.label,
      model: p.model,
      defaultVoice: p.defaultVoice,
      voices: await p.voices(),
      speeds: TTS_SPEEDS,
      maxTextChars: this.config.tts.maxTextChars,
      supportsInstructions: p.supportsInstructions(p.model),
    };
  }

  /**
   * Applies defaults, validates, and computes the cache key, without synthesizing. Use it to
   * enqueue a voice note by reference and synthesize later.
   * @throws AppError TTS_INVALID_INPUT (blank text, unknown voice, speed out of range), TTS_TEXT_TOO_LONG
   */
  async resolve(req: TtsRequest): Promise<ResolvedTtsRequest> {
    const p = this.provider;
    const text = (req.text ?? '').trim();
    if (!text) throw invalid('text must contain something to say', 'text');
    const maxChars = this.config.tts.maxTextChars;
    if (text.length > maxChars) {
      throw new AppError(ErrorCode.TTS_TEXT_TOO_LONG, `text is ${text.length} characters; the limit is ${maxChars} (TTS_MAX_TEXT_CHARS)`, {
        field: 'text',
        length: text.length,
        maxChars,
        transient: false,
      });
    }
    const voice = req.voice ?? p.defaultVoice;
    const voices = await p.voices();
    if (!voices.some((v) => v.id === voice)) {
      throw invalid(`voice '${voice}' is not offered by ${p.label}`, 'voice', { voices: voices.map((v) => v.id) });
    }
    const speed = Math.round((req.speed ?? 1) * 100) / 100;
    if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
      throw invalid(`speed must be between ${MIN_SPEED} and ${MAX_SPEED}`, 'speed');
    }
    const instructions = p.supportsInstructions(p.model) ? req.instructions?.trim() || undefined : undefined;
    const cacheKey = createHash('sha256')
      .update(JSON.stringify([1, p.id, p.model, voice, speed.toFixed(2), instructions ?? null, text]))
      .digest('hex');
    return { cacheKey, provider: p.id, model: p.model, text, voice, speed, ...(instructions && { instructions }) };
  }

  /**
   * A voice note for `req`, from the cache when this exact request was synthesized before.
   * Idempotent: the same request always yields the same `cacheKey`, and the provider is
   * called at most once per key while the entry stays cached.
   * @throws AppError TTS_* (see `isTransient` for which are worth retrying), FFMPEG_UNAVAILABLE,
   *   AUDIO_CONVERSION_FAILED
   */
  async synthesizeVoiceNote(req: TtsRequest): Promise<TtsVoiceNoteResult> {
    const resolved = await this.resolve(req);
    const { cacheKey } = resolved;
    const speaker = { provider: resolved.provider, model: resolved.model, voice: resolved.voice };
    const pending = this.inFlight.get(cacheKey);
    if (pending) return { note: (await pending).note, cacheKey, cached: true, ...speaker };
    const work = this.loadOrSynthesize(resolved).finally(() => this.inFlight.delete(cacheKey));
    this.inFlight.set(cacheKey, work);
    const { note, cached } = await work;
    return { note, cacheKey, cached, ...speaker };
  }

  /** The cached note for a key from `synthesizeVoiceNote`/`resolve`, or null. Never calls the provider. */
  findCached(cacheKey: string): Promise<VoiceNote | null> {
    return this.cache.find(cacheKey);
  }

  /**
   * The cached note for a key. Never calls the provider.
   * @throws AppError TTS_AUDIO_NOT_FOUND when the entry is gone (evicted or never made)
   */
  async getCached(cacheKey: string): Promise<VoiceNote> {
    const note = await this.cache.find(cacheKey);
    if (!note) {
      throw new AppError(ErrorCode.TTS_AUDIO_NOT_FOUND, 'No cached voice note for this key', { cacheKey, transient: false });
    }
    return note;
  }

  private async loadOrSynthesize(r: ResolvedTtsRequest): Promise<{ note: VoiceNote; cached: boolean }> {
    const hit = await this.cache.find(r.cacheKey);
    if (hit) return { note: hit, cached: true };
    const started = Date.now();
    const chunks = splitText(r.text, Math.min(this.provider.maxInputChars, this.config.tts.chunkMaxChars));
    const clips = await mapLimited(chunks, CHUNK_CONCURRENCY, async (text) => {
      const { audio } = await this.provider.synthesize({
        text,
        voice: r.voice,
        speed: r.speed,
        model: r.model,
        ...(r.instructions && { instructions: r.instructions }),
      });
      return audio;
    });
    const note = await this.toNote(clips);
    try {
      await this.cache.put(r.cacheKey, note, { provider: r.provider, model: r.model, voice: r.voice, speed: r.speed, chunks: chunks.length });
    } catch (err) {
      // The note is still good for this request; a later retry re-synthesizes.
      this.logger.warn({ err, cacheKey: r.cacheKey }, 'Could not store a voice note in the TTS cache');
    }
    this.logger.log(
      { cacheKey: r.cacheKey, provider: r.provider, chunks: chunks.length, durationMs: note.durationMs, tookMs: Date.now() - started },
      'Voice note synthesized',
    );
    return { note, cached: false };
  }

  /** Provider audio that ffmpeg cannot read is the provider's fault, not the caller's. */
  private async toNote(clips: Buffer[]): Promise<VoiceNote> {
    try {
      return clips.length === 1 ? await this.voiceNotes.toVoiceNote(clips[0]) : await this.voiceNotes.concat(clips);
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.AUDIO_INVALID) {
        throw ttsError(ErrorCode.TTS_PROVIDER_ERROR, `${this.provider.label} returned audio that cannot be decoded`, {
          provider: this.provider.id,
          transient: false,
          reason: 'bad_audio',
        }, err);
      }
      throw err;
    }
  }
}

function invalid(message: string, field: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError(ErrorCode.TTS_INVALID_INPUT, message, { field, ...extra, transient: false });
}

/** `fn` over `items` with at most `limit` running at once; results in input order; fails fast. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
