import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AppConfig } from '../config/app-config';
import { VOICE_NOTE_MIMETYPE, type VoiceNote } from '../media/audio/voice-note';
import { TtsCache } from './tts-cache';

const info = { provider: 'openai', model: 'm', voice: 'v', speed: 1, chunks: 1 };
const note = (bytes: number): VoiceNote => ({
  data: randomBytes(bytes),
  mimetype: VOICE_NOTE_MIMETYPE,
  seconds: 1,
  durationMs: 900,
  waveform: new Uint8Array(64).fill(50),
});
const key = (i: number) => i.toString(16).padStart(64, '0');

describe('TtsCache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tts-cache-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ignores an entry whose audio does not match its sidecar', async () => {
    const cache = new TtsCache(new AppConfig({ DATA_DIR: join(dir, 'a') }));
    await cache.put(key(1), note(1000), info);
    assert.ok(await cache.find(key(1)));
    rmSync(join(dir, 'a', 'tts-cache', `${key(1)}.ogg`));
    assert.equal(await cache.find(key(1)), null);
    await assert.rejects(cache.put('nope', note(10), info), RangeError);
  });

  it('deletes the least recently used entries above TTS_CACHE_MAX_MB', async () => {
    const cache = new TtsCache(new AppConfig({ DATA_DIR: join(dir, 'b'), TTS_CACHE_MAX_MB: '1' }));
    const audio = (i: number) => join(dir, 'b', 'tts-cache', `${key(i)}.ogg`);
    for (let i = 0; i < 3; i++) {
      await cache.put(key(i), note(300_000), info);
      await new Promise((r) => setTimeout(r, 20));
    }
    await cache.settled();
    assert.ok(await cache.find(key(0)), 'reading entry 0 makes it the most recently used');
    await new Promise((r) => setTimeout(r, 20));
    await cache.put(key(3), note(300_000), info);
    await cache.put(key(4), note(300_000), info);
    await cache.settled();
    assert.ok(existsSync(audio(0)), 'recently read entry kept');
    assert.ok(!existsSync(audio(1)) && !existsSync(audio(2)), 'oldest unused entries deleted');
    assert.ok(existsSync(audio(4)));
  });
});
