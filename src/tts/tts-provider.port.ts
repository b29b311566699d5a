/** Injection token of the configured `TtsProvider` (TTS_PROVIDER picks the implementation). */
export const TTS_PROVIDER = Symbol('TTS_PROVIDER');

export type TtsProviderId = 'openai' | 'espeak';

export interface TtsVoice {
  id: string;
  name: string;
}

export interface TtsSynthesisRequest {
  /** At most `maxInputChars` characters; the service splits longer text. */
  text: string;
  voice: string;
  /** 0.25–4, 1 = normal. */
  speed: number;
  /** Style guidance; only sent when `supportsInstructions(model)`. */
  instructions?: string;
  model: string;
}

export interface TtsAudio {
  audio: Buffer;
  /** What the provider says it returned; the audio pipeline sniffs the bytes anyway. `opus` means Ogg Opus. */
  format: 'opus' | 'wav' | 'mp3';
}

/**
 * A text-to-speech engine. Implementations translate their own failures into AppErrors with
 * a TTS_* code and `details.transient` (see tts-errors.ts); they never throw HTTP errors.
 */
export interface TtsProvider {
  readonly id: TtsProviderId;
  /** Human-readable name, e.g. "OpenAI" or "eSpeak NG (offline, robotic)". */
  readonly label: string;
  /** The model requests use (TTS_MODEL for OpenAI). */
  readonly model: string;
  readonly defaultVoice: string;
  /** Longest text one `synthesize` call accepts. */
  readonly maxInputChars: number;
  /** The voices this provider really offers on this machine. */
  voices(): Promise<TtsVoice[]>;
  supportsInstructions(model: string): boolean;
  /**
   * Speech for one chunk of text. Not cached and not retried here beyond the client's own
   * retries; the service caches finished notes.
   * @throws AppError TTS_INVALID_INPUT, TTS_MISCONFIGURED, TTS_RATE_LIMITED, TTS_TIMEOUT, TTS_PROVIDER_ERROR
   */
  synthesize(request: TtsSynthesisRequest): Promise<TtsAudio>;
}
