import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { audioConversionFailed, audioInvalid } from './audio-errors';
import { describeFfmpeg, locateFfmpeg } from './ffmpeg-location';
import { runFfmpeg } from './ffmpeg.runner';
import { parseOggOpus } from './ogg-opus';
import { secondsOf, VOICE_NOTE_MIMETYPE, type VoiceNote, type VoiceNoteOptions } from './voice-note';
import type { ToolLocation, ToolReport } from './tool-location';
import { waveformFromPcm16 } from './waveform';

/**
 * The encoding WhatsApp's own voice notes use: Opus in Ogg, mono, 48 kHz, about 32 kb/s,
 * tuned for speech. Metadata is dropped so nothing of the source file travels along.
 */
const VOICE_NOTE_OUTPUT = [
  '-map_metadata', '-1',
  '-ac', '1', '-ar', '48000',
  '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip',
  '-f', 'ogg',
];
/** A low sample rate is plenty for 64 amplitude points and keeps the PCM small. */
const WAVEFORM_RATE = 8000;
const WAVEFORM_OUTPUT = ['-ac', '1', '-ar', String(WAVEFORM_RATE), '-c:a', 'pcm_s16le', '-f', 's16le'];

/**
 * Turns audio into WhatsApp voice notes with the ffmpeg binary: any format ffmpeg reads in,
 * mono Ogg Opus out, plus duration and waveform. Stateless; safe to call concurrently.
 * Which ffmpeg runs is decided once: FFMPEG_PATH when set, else the system's, else the
 * npm-packaged one (see ffmpeg-location.ts).
 */
@Injectable()
export class VoiceNoteService {
  /** The ffmpeg this service runs and where it was found. */
  readonly ffmpeg: ToolLocation;
  private readonly ffmpegPath: string;
  private readonly timeoutMs: number;
  private report: Promise<ToolReport> | undefined;

  constructor(config: AppConfig) {
    this.ffmpeg = locateFfmpeg(config.audio.ffmpegPath);
    this.ffmpegPath = this.ffmpeg.path;
    this.timeoutMs = config.audio.processTimeoutMs;
  }

  /** Where ffmpeg comes from and its version (asked once, then remembered). */
  describeFfmpeg(): Promise<ToolReport> {
    this.report ??= describeFfmpeg(this.ffmpeg);
    return this.report;
  }

  /** True when `input` would be sent byte for byte: one complete mono Ogg Opus stream. */
  isVoiceNote(input: Buffer): boolean {
    const info = parseOggOpus(input);
    return info !== null && info.channels === 1 && info.durationMs > 0;
  }

  /**
   * A voice note from any audio ffmpeg can decode (Ogg, MP3, WAV, M4A, WebM, …). Mono Ogg
   * Opus is kept as is and only analysed; everything else is transcoded. Idempotent.
   * @throws AppError AUDIO_INVALID (empty, undecodable, no audio stream, zero length),
   *   AUDIO_CONVERSION_FAILED (timeout, ffmpeg crash), FFMPEG_UNAVAILABLE
   */
  async toVoiceNote(input: Buffer, opts: VoiceNoteOptions = {}): Promise<VoiceNote> {
    if (!input?.length) throw audioInvalid('The audio is empty', 'empty');
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const info = opts.forceTranscode ? null : parseOggOpus(input);
    if (info && info.channels === 1 && info.durationMs > 0) {
      const { stdout } = await runFfmpeg(this.ffmpegPath, {
        args: ['-i', 'pipe:0', '-map', '0:a:0', ...WAVEFORM_OUTPUT, 'pipe:1'],
        stdin: input,
        timeoutMs,
      });
      return toNote(input, info.durationMs, stdout);
    }
    return this.encode([input], timeoutMs);
  }

  /**
   * One voice note that plays `clips` back to back (e.g. the chunks of a long TTS text).
   * Each clip may be in any format ffmpeg reads; the result is always freshly encoded.
   * @throws the same errors as `toVoiceNote`
   */
  async concat(clips: Buffer[], opts: VoiceNoteOptions = {}): Promise<VoiceNote> {
    if (!clips.length || clips.some((c) => !c?.length)) throw audioInvalid('The audio is empty', 'empty');
    if (clips.length === 1) return this.toVoiceNote(clips[0], opts);
    return this.encode(clips, opts.timeoutMs ?? this.timeoutMs);
  }

  /** One ffmpeg run: inputs in, the Ogg Opus note on stdout and the waveform PCM on a second pipe. */
  private async encode(inputs: Buffer[], timeoutMs: number): Promise<VoiceNote> {
    let tempDir: string | undefined;
    try {
      const args: string[] = [];
      const pipes: Array<Buffer | 'out'> = [];
      let stdin: Buffer | undefined;
      for (const [i, input] of inputs.entries()) {
        if (isIsoBmff(input)) {
          // MP4/M4A often keeps its index (moov) at the end, which ffmpeg can only reach by seeking.
          tempDir ??= await mkdtemp(join(tmpdir(), 'switchboard-audio-'));
          const file = join(tempDir, `in-${i}`);
          await writeFile(file, input);
          args.push('-i', file);
        } else if (!stdin) {
          stdin = input;
          args.push('-i', 'pipe:0');
        } else {
          pipes.push(input);
          args.push('-i', `pipe:${3 + pipes.length - 1}`);
        }
      }
      let encodeFrom = '0:a:0';
      let waveformFrom = '0:a:0';
      if (inputs.length > 1) {
        const normalise = inputs.map((_, i) => `[${i}:a:0]aformat=sample_rates=48000:channel_layouts=mono[i${i}]`);
        const joined = `${inputs.map((_, i) => `[i${i}]`).join('')}concat=n=${inputs.length}:v=0:a=1,asplit=2[enc][wf]`;
        args.push('-filter_complex', [...normalise, joined].join(';'));
        encodeFrom = '[enc]';
        waveformFrom = '[wf]';
      }
      pipes.push('out');
      const waveformFd = 3 + pipes.length - 1;
      args.push('-map', encodeFrom, ...VOICE_NOTE_OUTPUT, 'pipe:1');
      args.push('-map', waveformFrom, ...WAVEFORM_OUTPUT, `pipe:${waveformFd}`);

      const result = await runFfmpeg(this.ffmpegPath, { args, stdin, pipes, timeoutMs });
      const info = parseOggOpus(result.stdout);
      if (!info) {
        throw audioConversionFailed('ffmpeg did not produce an Ogg Opus stream', { reason: 'ffmpeg_failed', transient: false });
      }
      if (info.durationMs === 0) throw audioInvalid('The audio contains no sound frames', 'no_audio');
      return toNote(result.stdout, info.durationMs, result.pipes[result.pipes.length - 1]);
    } finally {
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    }
  }
}

function toNote(data: Buffer, durationMs: number, pcm: Buffer): VoiceNote {
  return { data, mimetype: VOICE_NOTE_MIMETYPE, seconds: secondsOf(durationMs), durationMs, waveform: waveformFromPcm16(pcm) };
}

/** MP4, M4A, 3GP and friends: an `ftyp` box first. */
function isIsoBmff(buf: Buffer): boolean {
  return buf.length >= 12 && buf.toString('latin1', 4, 8) === 'ftyp';
}
