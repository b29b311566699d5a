import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppConfig } from '../config/app-config';
import { ConfigValidationError } from '../config/env.schema';

describe('TTS configuration', () => {
  it('picks openai when a key is set and espeak otherwise, unless TTS_PROVIDER says', () => {
    assert.equal(new AppConfig({}).tts.provider, 'espeak');
    assert.equal(new AppConfig({ OPENAI_API_KEY: 'sk-x' }).tts.provider, 'openai');
    assert.equal(new AppConfig({ OPENAI_API_KEY: 'sk-x', TTS_PROVIDER: 'espeak' }).tts.provider, 'espeak');
    assert.equal(new AppConfig({ OPENAI_API_KEY: '' }).tts.provider, 'espeak');
  });

  it('applies defaults and puts the cache under DATA_DIR', () => {
    const c = new AppConfig({ DATA_DIR: '/srv/sb' });
    assert.deepEqual(
      { model: c.tts.model, max: c.tts.maxTextChars, chunk: c.tts.chunkMaxChars, dir: c.tts.cacheDir, timeout: c.tts.openai.timeoutMs, retries: c.tts.openai.maxRetries },
      { model: 'gpt-4o-mini-tts', max: 8000, chunk: 4096, dir: '/srv/sb/tts-cache', timeout: 30_000, retries: 1 },
    );
    assert.deepEqual(c.audio, { ffmpegPath: 'ffmpeg', processTimeoutMs: 60_000 });
  });

  it('requires OPENAI_API_KEY for TTS_PROVIDER=openai and names bad keys only', () => {
    assert.throws(() => new AppConfig({ TTS_PROVIDER: 'openai' }), (err: ConfigValidationError) => err.keys.join() === 'OPENAI_API_KEY');
    assert.throws(
      () => new AppConfig({ TTS_PROVIDER: 'azure', OPENAI_BASE_URL: 'not a url', OPENAI_MAX_RETRIES: '-1', TTS_MAX_TEXT_CHARS: '0' }),
      (err: ConfigValidationError) => err.keys.join() === 'OPENAI_BASE_URL,OPENAI_MAX_RETRIES,TTS_MAX_TEXT_CHARS,TTS_PROVIDER',
    );
  });
});
