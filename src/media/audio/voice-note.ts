/** What Baileys and the Cloud API expect for a voice note (PTT). */
export const VOICE_NOTE_MIMETYPE = 'audio/ogg; codecs=opus' as const;

/**
 * A WhatsApp voice note ready to send: Ogg Opus, mono, 48 kHz, with the duration and the
 * 64-point waveform the recipient's player shows. Send it with
 * `{ audio: data, mimetype, ptt: true, seconds, waveform }`.
 */
export interface VoiceNote {
  data: Buffer;
  mimetype: typeof VOICE_NOTE_MIMETYPE;
  /** Whole seconds, rounded up and at least 1: WhatsApp's `seconds` field is an integer. */
  seconds: number;
  /** Exact duration from the Ogg granule positions. */
  durationMs: number;
  /** 64 values, 0–100. */
  waveform: Uint8Array;
}

export interface VoiceNoteOptions {
  /** Re-encode even when the input already is mono Ogg Opus. */
  forceTranscode?: boolean;
  /** Overrides AUDIO_PROCESS_TIMEOUT_MS for this call. */
  timeoutMs?: number;
}

export function secondsOf(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs / 1000));
}
