import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTone } from '../../test/fixtures/audio-fixtures';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { VoiceNoteService } from '../media/audio/voice-note.service';
import { TtsCache } from './tts-cache';
import { isTransient, ttsError } from './tts-errors';
import type { TtsAudio, TtsProvider, TtsSynthesisRequest, TtsVoice } from './tts-provider.port';
import { TtsService } from './tts.service';

/** A strict in-memory provider: records calls, answers with real Ogg Opus tones (0.5 s per call). */
class FakeTtsProvider implements TtsProvider {
  readonly id = 'openai' as const;
  readonly label = 'Fake';
  readonly model = 'fake-model';
  readonly defaultVoice = 'alpha';
  readonly calls: TtsSynthesisRequest[] = [];
  next: Array<Error | Buffer> = [];
  constructor(
    readonly maxInputChars = 100,
    private readonly instructions = true,
  ) {}
  async voices(): Promise<TtsVoice[]> {
    return [{ id: 'alpha', name: 'Alpha' }, { id: 'beta', name: 'Beta' }];
  }
  supportsInstructions(): boolean {
    return this.instructions;
  }
  async synthesize(req: TtsSynthesisRequest): Promise<TtsAudio> {
    this.calls.push(req);
    const queued = this.next.shift();
    if (queued instanceof Error) throw queued;
    return { audio: queued ?? tone, format: 'opus' };
  }
}

const tone = makeTone({ seconds: 0.5, format: 'ogg-opus', sampleRate: 24000 });
const dirs: string[] = [];

function build(env: Record<string, string> = {}, provider = new FakeTtsProvider()) {
  const dir = mkdtempSync(join(tmpdir(), 'tts-service-'));
  dirs.push(dir);
  const config = new AppConfig({ DATA_DIR: dir, ...env });
  const cache = new TtsCache(config);
  return { provider, cache, dir, service: new TtsService(provider, new VoiceNoteService(config), cache, config) };
}

describe('TtsService', () => {
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('applies defaults and gives one stable key per audio-deciding input', async () => {
    const { service } = build();
    const a = await service.resolve({ text: '  Hello.  ' });
    assert.deepEqual({ ...a, cacheKey: undefined }, { cacheKey: undefined, provider: 'openai', model: 'fake-model', text: 'Hello.', voice: 'alpha', speed: 1 });
    assert.equal((await service.resolve({ text: 'Hello.', voice: 'alpha', speed: 1.0 })).cacheKey, a.cacheKey);
    const keys = await Promise.all([
      service.resolve({ text: 'Hello!' }),
      service.resolve({ text: 'Hello.', voice: 'beta' }),
      service.resolve({ text: 'Hello.', speed: 1.1 }),
      service.resolve({ text: 'Hello.', instructions: 'Cheerful' }),
    ]);
    assert.equal(new Set([a.cacheKey, ...keys.map((k) => k.cacheKey)]).size, 5);
  });

  it('drops instructions (and keeps them out of the key) when the model ignores them', async () => {
    const { service } = build({}, new FakeTtsProvider(100, false));
    const plain = await service.resolve({ text: 'Hi.' });
    const styled = await service.resolve({ text: 'Hi.', instructions: 'Whisper' });
    assert.equal(styled.instructions, undefined);
    assert.equal(styled.cacheKey, plain.cacheKey);
  });

  it('refuses unknown voices, speeds out of range and text over the limit, without calling the provider', async () => {
    const { service, provider } = build({ TTS_MAX_TEXT_CHARS: '50' });
    const code = (c: ErrorCode) => (err: AppError) => err.code === c && !isTransient(err);
    await assert.rejects(service.synthesizeVoiceNote({ text: 'Hi', voice: 'gamma' }), code(ErrorCode.TTS_INVALID_INPUT));
    await assert.rejects(service.synthesizeVoiceNote({ text: 'Hi', speed: 0.2 }), code(ErrorCode.TTS_INVALID_INPUT));
    await assert.rejects(service.synthesizeVoiceNote({ text: 'x'.repeat(51) }), code(ErrorCode.TTS_TEXT_TOO_LONG));
    assert.equal(provider.calls.length, 0);
  });

  it('synthesizes once, then serves the note from disk, also to a new service instance', async () => {
    const { service, provider, dir } = build();
    const first = await service.synthesizeVoiceNote({ text: 'Cache me.' });
    assert.equal(first.cached, false);
    assert.ok(first.note.data.equals(tone));
    const second = await service.synthesizeVoiceNote({ text: 'Cache me.' });
    assert.equal(second.cached, true);
    assert.equal(provider.calls.length, 1);
    assert.deepEqual(readdirSync(join(dir, 'tts-cache')).sort(), [`${first.cacheKey}.json`, `${first.cacheKey}.ogg`]);

    // A restarted process (new service, same DATA_DIR) still has it, and getCached never calls the provider.
    const config = new AppConfig({ DATA_DIR: dir });
    const restarted = new TtsService(provider, new VoiceNoteService(config), new TtsCache(config), config);
    const note = await restarted.getCached(first.cacheKey);
    assert.ok(note.data.equals(first.note.data));
    assert.deepEqual([...note.waveform], [...first.note.waveform]);
    assert.equal(note.durationMs, first.note.durationMs);
    assert.equal(await restarted.findCached('f'.repeat(64)), null);
    assert.equal(await restarted.findCached('../../etc/passwd'), null);
    assert.equal(provider.calls.length, 1);
  });

  it('splits long text into chunks within the provider limit, in order, and joins them', async () => {
    const { service, provider } = build();
    const text = Array.from({ length: 6 }, (_, i) => `Sentence ${i} has a few words in it.`).join(' ');
    const { note } = await service.synthesizeVoiceNote({ text });
    assert.ok(provider.calls.length >= 3);
    for (const c of provider.calls) assert.ok(c.text.length <= 100);
    assert.equal(provider.calls.map((c) => c.text).join(' '), text);
    assert.ok(Math.abs(note.durationMs - 500 * provider.calls.length) <= 100, `${note.durationMs} ms`);
  });

  it('does not cache a failure, and a failed chunk fails the whole note', async () => {
    const { service, provider } = build();
    provider.next = [tone, ttsError(ErrorCode.TTS_RATE_LIMITED, 'slow down', { provider: 'fake', transient: true, retryAfterSeconds: 3 })];
    const text = 'A first sentence that is long enough to be a chunk of its own here. And a second sentence, just as long as the first one was.';
    await assert.rejects(service.synthesizeVoiceNote({ text }), (err: AppError) => err.code === ErrorCode.TTS_RATE_LIMITED && isTransient(err));
    const retried = await service.synthesizeVoiceNote({ text });
    assert.equal(retried.cached, false);
  });

  it('blames the provider (TTS_PROVIDER_ERROR, permanent) for audio ffmpeg cannot read', async () => {
    const { service, provider } = build();
    provider.next = [Buffer.from('definitely not audio, just some text bytes '.repeat(20))];
    await assert.rejects(service.synthesizeVoiceNote({ text: 'Broken.' }), (err: AppError) => {
      assert.equal(err.code, ErrorCode.TTS_PROVIDER_ERROR);
      assert.equal(isTransient(err), false);
      return true;
    });
  });
});
