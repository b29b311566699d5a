import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { AppConfig } from '../../config/app-config';
import { ttsError, type TtsErrorDetails } from '../tts-errors';
import type { TtsAudio, TtsProvider, TtsSynthesisRequest, TtsVoice } from '../tts-provider.port';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Enforced by the API (a longer input is a 400), not by the SDK. */
const OPENAI_MAX_INPUT_CHARS = 4096;

/** The built-in voices the speech endpoint documents (openai 6.x `SpeechCreateParams.voice`). */
const OPENAI_VOICES: TtsVoice[] = [
  'alloy', 'ash', 'ballad', 'cedar', 'coral', 'echo', 'fable', 'marin', 'nova', 'onyx', 'sage', 'shimmer', 'verse',
].map((id) => ({ id, name: id[0].toUpperCase() + id.slice(1) }));

/**
 * OpenAI's speech endpoint through the official client. Asks for `opus`, which OpenAI
 * returns as Ogg Opus, so the usual result needs no transcoding. The client's own timeout
 * and retries come from OPENAI_TIMEOUT_MS and OPENAI_MAX_RETRIES.
 */
export class OpenAiTtsProvider implements TtsProvider {
  readonly id = 'openai' as const;
  readonly label = 'OpenAI';
  readonly model: string;
  readonly defaultVoice: string;
  readonly maxInputChars = OPENAI_MAX_INPUT_CHARS;
  private readonly client: OpenAI;
  private readonly timeoutMs: number;

  constructor(config: AppConfig) {
    const { openai, model, defaultVoice } = config.tts;
    this.model = model;
    this.defaultVoice = defaultVoice ?? 'coral';
    this.timeoutMs = openai.timeoutMs;
    this.client = new OpenAI({
      apiKey: openai.apiKey,
      baseURL: openai.baseUrl ?? DEFAULT_BASE_URL,
      timeout: openai.timeoutMs,
      maxRetries: openai.maxRetries,
    });
  }

  async voices(): Promise<TtsVoice[]> {
    return OPENAI_VOICES;
  }

  /** The API documents that `instructions` "does not work with tts-1 or tts-1-hd". */
  supportsInstructions(model: string): boolean {
    return !/^tts-1(-hd)?(-\d|$)/.test(model);
  }

  async synthesize(req: TtsSynthesisRequest): Promise<TtsAudio> {
    const controller = new AbortController();
    try {
      const res = await this.client.audio.speech.create(
        {
          model: req.model,
          voice: req.voice,
          input: req.text,
          response_format: 'opus',
          speed: req.speed,
          ...(req.instructions && this.supportsInstructions(req.model) ? { instructions: req.instructions } : {}),
        },
        { signal: controller.signal },
      );
      const audio = await this.readBody(res, controller);
      if (!audio.length) {
        throw ttsError(ErrorCode.TTS_PROVIDER_ERROR, 'OpenAI returned no audio', { provider: this.id, transient: true, reason: 'empty_audio' });
      }
      return { audio, format: 'opus' };
    } catch (err) {
      throw mapOpenAiError(err, { model: req.model, timeoutMs: this.timeoutMs });
    }
  }

  /**
   * The client's timeout ends when the response headers arrive; a body that stalls after them
   * would otherwise hang until undici's 5-minute body timeout.
   */
  private async readBody(res: Response, controller: AbortController): Promise<Buffer> {
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      return Buffer.from(await res.arrayBuffer());
    } catch (err) {
      const details = { provider: this.id, transient: true };
      throw controller.signal.aborted
        ? ttsError(ErrorCode.TTS_TIMEOUT, `OpenAI did not finish sending audio within ${this.timeoutMs} ms`, { ...details, reason: 'timeout' }, err)
        : ttsError(ErrorCode.TTS_PROVIDER_ERROR, 'The OpenAI response broke off', { ...details, reason: 'body_read' }, err);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Translates the client's errors into TTS AppErrors (the table in reference/tts-audio.md §1).
 * AppErrors pass through; anything that is not an OpenAI error is returned unchanged.
 */
export function mapOpenAiError(err: unknown, ctx: { model: string; timeoutMs: number }): unknown {
  if (err instanceof AppError || !(err instanceof APIError)) return err;
  const base: TtsErrorDetails = {
    provider: 'openai',
    transient: false,
    ...(err.status !== undefined && { providerStatus: err.status }),
    ...(err.code && { providerCode: err.code }),
    ...(err.requestID && { providerRequestId: err.requestID }),
  };
  if (err instanceof APIConnectionTimeoutError) {
    return ttsError(ErrorCode.TTS_TIMEOUT, `OpenAI did not answer within ${ctx.timeoutMs} ms`, { ...base, transient: true, reason: 'timeout' }, err);
  }
  if (err instanceof APIUserAbortError) {
    return ttsError(ErrorCode.TTS_PROVIDER_ERROR, 'The OpenAI request was cancelled', { ...base, transient: true, reason: 'aborted' }, err);
  }
  if (err instanceof APIConnectionError) {
    return ttsError(ErrorCode.TTS_PROVIDER_ERROR, 'OpenAI could not be reached', { ...base, transient: true, reason: 'connection' }, err);
  }
  const status = err.status ?? 0;
  if (status === 400) {
    // OpenAI's own message names the problem ("…at most 4096 characters"); it carries no secret.
    const detail = providerMessage(err);
    return ttsError(ErrorCode.TTS_INVALID_INPUT, `OpenAI refused the input${detail ? `: ${detail}` : ''}`, {
      ...base,
      ...(err.param && { param: err.param }),
    }, err);
  }
  if (status === 401 || status === 403) {
    // Not echoing OpenAI's message: it quotes part of the key.
    return ttsError(ErrorCode.TTS_MISCONFIGURED, 'OpenAI refused the API key (check OPENAI_API_KEY)', base, err);
  }
  if (status === 404) {
    return ttsError(ErrorCode.TTS_MISCONFIGURED, `OpenAI does not know the model or endpoint (TTS_MODEL=${ctx.model})`, base, err);
  }
  if (status === 429) {
    if (err.code === 'insufficient_quota') {
      return ttsError(ErrorCode.TTS_MISCONFIGURED, 'The OpenAI account has no quota left (billing)', base, err);
    }
    const retryAfter = retryAfterSecondsOf(err.headers);
    return ttsError(ErrorCode.TTS_RATE_LIMITED, 'OpenAI rate limit reached; try again later', {
      ...base,
      transient: true,
      ...(retryAfter !== undefined && { retryAfterSeconds: retryAfter }),
    }, err);
  }
  const transient = status >= 500 || status === 408 || status === 409;
  return ttsError(ErrorCode.TTS_PROVIDER_ERROR, `OpenAI failed with HTTP ${status}`, { ...base, transient }, err);
}

function providerMessage(err: APIError): string | undefined {
  const message = (err.error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message.slice(0, 300) : undefined;
}

/** `retry-after-ms` (OpenAI's), then `retry-after` as seconds or an HTTP date. */
export function retryAfterSecondsOf(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return Math.ceil(ms / 1000);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
