import type { AppConfig } from '../../config/app-config';
import type { ToolReport } from '../../media/audio/tool-location';
import type { TtsAudio, TtsProvider, TtsSynthesisRequest, TtsVoice } from '../tts-provider.port';
import { createEspeakEngine, locateEspeak, type EspeakEngine } from './espeak-engine';

/** espeak-ng's normal rate in words per minute; `speed` scales it. */
const NORMAL_WPM = 175;
const MIN_WPM = 80;
const MAX_WPM = 450;

/**
 * The voices offered and the espeak-ng voice (`language+variant`) each one speaks with.
 * OpenAI's voice names come first, each mapped to an English voice of its own, so a request
 * written for OpenAI (`voice: "coral"`) also works without a key; then one voice per language.
 */
const OFFLINE_VOICES: { id: string; language: string; espeak: string }[] = [
  { id: 'alloy', language: 'English (US)', espeak: 'en-us+m3' },
  { id: 'ash', language: 'English (US)', espeak: 'en-us+m1' },
  { id: 'ballad', language: 'English (UK)', espeak: 'en-gb+m4' },
  { id: 'cedar', language: 'English (US)', espeak: 'en-us+m7' },
  { id: 'coral', language: 'English (US)', espeak: 'en-us+f3' },
  { id: 'echo', language: 'English (US)', espeak: 'en-us+m2' },
  { id: 'fable', language: 'English (UK)', espeak: 'en-gb+m3' },
  { id: 'marin', language: 'English (US)', espeak: 'en-us+f4' },
  { id: 'nova', language: 'English (US)', espeak: 'en-us+f2' },
  { id: 'onyx', language: 'English (US)', espeak: 'en-us+m6' },
  { id: 'sage', language: 'English (UK)', espeak: 'en-gb+f1' },
  { id: 'shimmer', language: 'English (US)', espeak: 'en-us+f5' },
  { id: 'verse', language: 'English (US)', espeak: 'en-us+m5' },
  { id: 'en-us', language: 'English (US)', espeak: 'en-us' },
  { id: 'en-gb', language: 'English (UK)', espeak: 'en-gb' },
  { id: 'es', language: 'Spanish', espeak: 'es' },
  { id: 'fr-fr', language: 'French', espeak: 'fr-fr' },
  { id: 'de', language: 'German', espeak: 'de' },
  { id: 'it', language: 'Italian', espeak: 'it' },
  { id: 'pt-br', language: 'Portuguese (Brazil)', espeak: 'pt-br' },
  { id: 'hi', language: 'Hindi', espeak: 'hi' },
  { id: 'ar', language: 'Arabic (needs diacritics)', espeak: 'ar' },
];

const BY_ID = new Map(OFFLINE_VOICES.map((v) => [v.id, v]));

function displayName(v: (typeof OFFLINE_VOICES)[number]): string {
  const named = v.id !== v.espeak;
  return named ? `${v.id[0].toUpperCase()}${v.id.slice(1)}, ${v.language} (robotic, offline)` : `${v.language} (robotic, offline)`;
}

/**
 * The offline provider: espeak-ng, no key and no network. Robotic but intelligible; its WAV
 * output goes through the same ffmpeg step as any audio. Runs the system espeak-ng when there
 * is one (or ESPEAK_PATH), else the WebAssembly build shipped on npm.
 */
export class EspeakTtsProvider implements TtsProvider {
  readonly id = 'espeak' as const;
  readonly label = 'eSpeak NG (offline, robotic)';
  readonly model = 'espeak-ng';
  readonly defaultVoice: string;
  readonly maxInputChars = 4096;
  readonly engine: EspeakEngine;

  constructor(config: AppConfig) {
    this.defaultVoice = config.tts.defaultVoice ?? 'en-us';
    this.engine = createEspeakEngine(locateEspeak(config.tts.espeakPath), config.audio.processTimeoutMs);
  }

  /** The offered voices this espeak-ng can speak; all of them when it cannot be asked. */
  async voices(): Promise<TtsVoice[]> {
    const available = await this.engine.available(OFFLINE_VOICES.map((v) => v.espeak));
    return OFFLINE_VOICES.filter((v) => !available || available.has(v.espeak)).map((v) => ({ id: v.id, name: displayName(v) }));
  }

  supportsInstructions(): boolean {
    return false;
  }

  /** The espeak-ng voice (`language+variant`) an offered voice id speaks with. */
  espeakVoice(id: string): string {
    return BY_ID.get(id)?.espeak ?? id;
  }

  describeEngine(): Promise<ToolReport> {
    return this.engine.describe();
  }

  async synthesize(req: TtsSynthesisRequest): Promise<TtsAudio> {
    const wpm = Math.min(MAX_WPM, Math.max(MIN_WPM, Math.round(NORMAL_WPM * req.speed)));
    return { audio: await this.engine.speak(req.text, this.espeakVoice(req.voice), wpm), format: 'wav' };
  }
}
