/**
 * Worker thread of the WebAssembly espeak-ng engine. Synthesis is synchronous CPU work, so it
 * runs here and not on the event loop. Messages in: `{ id, text, voice, wpm }` or
 * `{ id, voices: string[] }`; out: `{ id, wav }`, `{ id, voices }` or `{ id, error }`.
 */
import { parentPort } from 'node:worker_threads';
import type { EspeakNgModule, EspeakNgWorker } from '@echogarden/espeak-ng-emscripten';

export type EspeakWasmRequest =
  | { id: number; text: string; voice: string; wpm: number }
  | { id: number; voices: string[] };
export type EspeakWasmResponse =
  | { id: number; wav: Uint8Array }
  | { id: number; voices: string[] }
  | { id: number; error: string };

let engine: Promise<{ module: EspeakNgModule; espeak: EspeakNgWorker }> | undefined;

async function load() {
  // The package is ESM only; Node ≥ 20.19 loads it with require().
  const factory = (require('@echogarden/espeak-ng-emscripten') as { default: typeof import('@echogarden/espeak-ng-emscripten').default }).default;
  const module = await factory();
  return { module, espeak: new module.eSpeakNGWorker() };
}

/**
 * Selects `lang[+variant]`. This build names some languages without their region (its British
 * English is `en`, its French `fr`), so `en-gb+m4` falls back to `en+m4`.
 */
function selectVoice(espeak: EspeakNgWorker, voice: string): boolean {
  if (espeak.set_voice(voice) === 0) return true;
  const [lang, variant] = voice.split('+');
  const base = lang.split('-')[0];
  return base !== lang && espeak.set_voice(variant ? `${base}+${variant}` : base) === 0;
}

function speak(module: EspeakNgModule, espeak: EspeakNgWorker, text: string, voice: string, wpm: number): Uint8Array {
  if (!selectVoice(espeak, voice)) throw new Error(`espeak-ng has no voice '${voice}'`);
  espeak.set_rate(wpm);
  const chunks: Int16Array[] = [];
  const callback = module.addFunction((samples, count) => {
    if (count > 0) chunks.push(module.HEAP16.slice(samples >> 1, (samples >> 1) + count));
    return 0;
  }, 'iiii');
  try {
    espeak.synth_(text, callback);
  } finally {
    module.removeFunction(callback);
  }
  return wav(chunks, espeak.samplerate);
}

/** A 16-bit mono PCM WAV file of the samples. */
function wav(chunks: Int16Array[], sampleRate: number): Uint8Array {
  const samples = chunks.reduce((n, c) => n + c.length, 0);
  const out = Buffer.alloc(44 + samples * 2);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write('WAVEfmt ', 8, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(samples * 2, 40);
  let at = 44;
  for (const c of chunks) {
    Buffer.from(c.buffer, c.byteOffset, c.byteLength).copy(out, at);
    at += c.byteLength;
  }
  return out;
}

parentPort?.on('message', async (req: EspeakWasmRequest) => {
  let res: EspeakWasmResponse;
  try {
    const { module, espeak } = await (engine ??= load());
    res = 'voices' in req
      ? { id: req.id, voices: req.voices.filter((v) => selectVoice(espeak, v)) }
      : { id: req.id, wav: speak(module, espeak, req.text, req.voice, req.wpm) };
  } catch (err) {
    res = { id: req.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(res, 'wav' in res ? [res.wav.buffer as ArrayBuffer] : []);
});
