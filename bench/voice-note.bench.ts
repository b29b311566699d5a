/**
 * Latency the voice-note path adds on top of the TTS provider call, for 10 s and 60 s notes.
 *
 *   npm run bench:voice            (or: node build/bench/voice-note.bench.js [iterations])
 *
 * Measures, with the real ffmpeg:
 *   - passthrough: provider Ogg Opus (what OpenAI returns) → analysed voice note (duration + waveform);
 *   - transcode:   provider MP3 / espeak WAV → Ogg Opus voice note;
 *   - concat:      6 × 10 s Ogg Opus chunks → one 60 s note (long text split for the provider);
 *   - TtsService:  full synthesizeVoiceNote with an instant provider, cache miss (includes the
 *                  disk write) and cache hit.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { AppConfig } from '../src/config/app-config';
import { VoiceNoteService } from '../src/media/audio/voice-note.service';
import { TtsCache } from '../src/tts/tts-cache';
import type { TtsAudio, TtsProvider, TtsVoice } from '../src/tts/tts-provider.port';
import { TtsService } from '../src/tts/tts.service';
import { FFMPEG, speakWav } from '../test/fixtures/audio-fixtures';
import { runBench } from './support/run';

const iterations = Number(process.argv[2] ?? 20);
const WARMUP = 2;

const SPEECH_TEXT =
  'Good morning. This is a reminder that your appointment is scheduled for tomorrow at ten o clock. ' +
  'Please bring your documents and arrive a few minutes early. Reply to this message if you need to reschedule.';

/** Real speech of exactly `seconds`, looped, in the format a provider would return. */
function speech(SPEECH: Buffer, seconds: number, format: 'opus' | 'mp3' | 'wav'): Buffer {
  const codec = {
    opus: ['-ar', '24000', '-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg'],
    mp3: ['-ar', '24000', '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3'],
    wav: ['-ar', '22050', '-c:a', 'pcm_s16le', '-f', 'wav'],
  }[format];
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const src = join(dir, 'speech.wav');
    execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-c:a', 'pcm_s16le', src], { input: SPEECH });
    return execFileSync(
      FFMPEG,
      ['-hide_banner', '-loglevel', 'error', '-stream_loop', '-1', '-i', src, '-t', String(seconds), '-ac', '1', ...codec, 'pipe:1'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(name: string, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < WARMUP; i++) await fn(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const pick = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  console.log(`${name.padEnd(46)} median ${pick(0.5).toFixed(1).padStart(7)} ms   p95 ${pick(0.95).toFixed(1).padStart(7)} ms`);
}

class InstantProvider implements TtsProvider {
  readonly id = 'openai' as const;
  readonly label = 'instant';
  readonly model = 'bench';
  readonly defaultVoice = 'coral';
  readonly maxInputChars = 4096;
  constructor(private readonly audio: Buffer) {}
  async voices(): Promise<TtsVoice[]> {
    return [{ id: 'coral', name: 'Coral' }];
  }
  supportsInstructions(): boolean {
    return true;
  }
  async synthesize(): Promise<TtsAudio> {
    return { audio: this.audio, format: 'opus' };
  }
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-data-'));
  const config = new AppConfig({ DATA_DIR: dataDir });
  const voiceNotes = new VoiceNoteService(config);
  const SPEECH = await speakWav(SPEECH_TEXT);
  const inputs = {
    opus10: speech(SPEECH, 10, 'opus'),
    opus60: speech(SPEECH, 60, 'opus'),
    mp310: speech(SPEECH, 10, 'mp3'),
    mp360: speech(SPEECH, 60, 'mp3'),
    wav10: speech(SPEECH, 10, 'wav'),
    wav60: speech(SPEECH, 60, 'wav'),
  };
  console.log(`voice-note pipeline, ${iterations} runs each after ${WARMUP} warm-up runs (${execFileSync(FFMPEG, ['-version']).toString().split('\n')[0]})`);
  console.log(`inputs: Ogg Opus 10 s ${(inputs.opus10.length / 1024).toFixed(0)} KiB, 60 s ${(inputs.opus60.length / 1024).toFixed(0)} KiB\n`);
  try {
    await measure('passthrough Ogg Opus 10 s (OpenAI opus)', () => voiceNotes.toVoiceNote(inputs.opus10));
    await measure('passthrough Ogg Opus 60 s (OpenAI opus)', () => voiceNotes.toVoiceNote(inputs.opus60));
    await measure('transcode MP3 10 s', () => voiceNotes.toVoiceNote(inputs.mp310));
    await measure('transcode MP3 60 s', () => voiceNotes.toVoiceNote(inputs.mp360));
    await measure('transcode WAV 10 s (espeak-ng output)', () => voiceNotes.toVoiceNote(inputs.wav10));
    await measure('transcode WAV 60 s (espeak-ng output)', () => voiceNotes.toVoiceNote(inputs.wav60));
    await measure('concat 6 × 10 s Ogg Opus → 60 s', () => voiceNotes.concat(Array(6).fill(inputs.opus10)));

    for (const [label, audio] of [['10 s', inputs.opus10], ['60 s', inputs.opus60]] as const) {
      const service = new TtsService(new InstantProvider(audio), voiceNotes, new TtsCache(config), config);
      await measure(`TtsService miss ${label} (pipeline + cache write)`, (i) => service.synthesizeVoiceNote({ text: `Bench ${label} ${i}.` }));
      await service.synthesizeVoiceNote({ text: `Cached ${label}.` });
      await measure(`TtsService hit ${label} (from disk)`, () => service.synthesizeVoiceNote({ text: `Cached ${label}.` }));
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench(main);
