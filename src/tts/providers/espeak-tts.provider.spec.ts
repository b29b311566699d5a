import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { isTransient } from '../tts-errors';
import { EspeakTtsProvider } from './espeak-tts.provider';

const wavSeconds = (wav: Buffer) => (wav.length - 44) / 2 / wav.readUInt32LE(24);

describe('EspeakTtsProvider', () => {
  const provider = new EspeakTtsProvider(new AppConfig({}));

  it('offers the installed voices, each marked robotic and offline', async () => {
    const voices = await provider.voices();
    assert.ok(voices.length >= 5);
    assert.ok(voices.some((v) => v.id === 'en-us'));
    for (const v of voices) assert.match(v.name, /\(robotic, offline\)$/);
    assert.equal(provider.supportsInstructions(), false);
  });

  it('offers every OpenAI voice name, each mapped to an espeak-ng voice of its own', async () => {
    const openAi = ['alloy', 'ash', 'ballad', 'cedar', 'coral', 'echo', 'fable', 'marin', 'nova', 'onyx', 'sage', 'shimmer', 'verse'];
    const ids = (await provider.voices()).map((v) => v.id);
    for (const name of openAi) assert.ok(ids.includes(name), name);
    const espeak = ids.map((id) => provider.espeakVoice(id));
    assert.equal(new Set(espeak).size, ids.length, `distinct: ${espeak.join(' ')}`);
    assert.equal(provider.espeakVoice('coral'), 'en-us+f3');
  });

  it('speaks text given on stdin as WAV, faster at a higher speed, and never reads it as options', async () => {
    const text = '--help is not an option here, just words in a sentence.';
    const normal = await provider.synthesize({ text, voice: 'en-us', speed: 1, model: provider.model });
    assert.equal(normal.format, 'wav');
    assert.equal(normal.audio.toString('latin1', 0, 4), 'RIFF');
    const fast = await provider.synthesize({ text, voice: 'en-us', speed: 2, model: provider.model });
    assert.ok(wavSeconds(fast.audio) < wavSeconds(normal.audio) * 0.7, `${wavSeconds(fast.audio)} vs ${wavSeconds(normal.audio)}`);
    assert.ok(wavSeconds(normal.audio) > 2, 'the whole text was spoken, not a help screen');
  });

  it('reports a missing espeak-ng as TTS_MISCONFIGURED (permanent)', async () => {
    const missing = new EspeakTtsProvider(new AppConfig({ ESPEAK_PATH: '/nonexistent/espeak-ng' }));
    await assert.rejects(missing.synthesize({ text: 'hi', voice: 'en-us', speed: 1, model: 'espeak-ng' }), (err: AppError) => {
      assert.equal(err.code, ErrorCode.TTS_MISCONFIGURED);
      assert.equal(isTransient(err), false);
      return true;
    });
    assert.ok((await missing.voices()).some((v) => v.id === 'en-us'), 'falls back to the offered list');
  });
});
