import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from '../support/node-test';
import type { Response } from 'supertest';
import { AppError } from '../../src/common/errors/app-error';
import { AppConfig } from '../../src/config/app-config';
import { locateFfmpeg } from '../../src/media/audio/ffmpeg-location';
import { parseOggOpus } from '../../src/media/audio/ogg-opus';
import { locateEspeak } from '../../src/tts/providers/espeak-engine';
import { OpenAiTtsProvider } from '../../src/tts/providers/openai-tts.provider';
import { splitText } from '../../src/tts/text-chunker';
import { isTransient } from '../../src/tts/tts-errors';
import { TtsService } from '../../src/tts/tts.service';
import { FakeOpenAiServer } from '../fakes/fake-openai-server';
import { probe } from '../fixtures/audio-fixtures';
import { api } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

// Generous: a loaded machine must not turn an answered request into a timeout (one test waits it out).
const OPENAI_TIMEOUT_MS = 8000;
const CHUNK_MAX_CHARS = 200;
const MAX_TEXT_CHARS = 1200;

/** supertest collects an audio/ogg body as a Buffer. */
const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

function assertVoiceNote(res: Response): Buffer {
  assert.match(res.headers['content-type'], /^audio\/ogg/);
  const body = res.body as Buffer;
  assert.equal(body.toString('latin1', 0, 4), 'OggS');
  assert.equal(body.toString('latin1', 28, 36), 'OpusHead');
  const info = parseOggOpus(body);
  assert.ok(info, 'one complete Ogg Opus stream');
  assert.equal(info.channels, 1);
  const p = probe(body);
  assert.equal(p.codec, 'opus');
  assert.equal(p.channels, 1);
  assert.equal(p.sampleRate, 48000);
  const seconds = Number(res.headers['x-voice-note-seconds']);
  assert.ok(seconds > 0);
  assert.equal(seconds, Math.max(1, Math.ceil(info.durationMs / 1000)));
  assert.equal(Number(res.headers['x-voice-note-duration-ms']), info.durationMs);
  const waveform = Buffer.from(res.headers['x-voice-note-waveform'], 'base64');
  assert.equal(waveform.length, 64);
  assert.ok([...waveform].every((v) => v <= 100) && Math.max(...waveform) === 100);
  return body;
}

const GREETING = 'Hello! Your order has shipped and will arrive tomorrow.';

describe('TTS API with OpenAI (local fake of the speech endpoint)', () => {
  let fake: FakeOpenAiServer;
  let t: TestApp;
  const preview = (body: Record<string, unknown>) => api(t).post('/api/tts/preview').send(body).buffer(true).parse(binary);

  before(async () => {
    fake = await FakeOpenAiServer.start({ apiKey: 'sk-test' });
    [t] = await Promise.all([
      startTestApp({
        env: {
          OPENAI_API_KEY: 'sk-test',
          OPENAI_BASE_URL: `${fake.url}/v1`,
          OPENAI_TIMEOUT_MS: String(OPENAI_TIMEOUT_MS),
          OPENAI_MAX_RETRIES: '0',
          TTS_CHUNK_MAX_CHARS: String(CHUNK_MAX_CHARS),
          TTS_MAX_TEXT_CHARS: String(MAX_TEXT_CHARS),
        },
      }),
      fake.prepare([GREETING]),
    ]);
  });
  after(async () => {
    await t?.destroy();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('requires authentication on both routes', async () => {
    await api(t, null).get('/api/tts/voices').expect(401);
    const res = await api(t, null).post('/api/tts/preview').send({ text: 'hi' }).expect(401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
    assert.equal(fake.requests.length, 0);
  });

  it('documents both routes for Swagger under the TTS tag', async () => {
    const { body: doc } = await api(t, null).get('/docs-json').expect(200);
    const voices = doc.paths['/api/tts/voices'].get;
    const previewOp = doc.paths['/api/tts/preview'].post;
    for (const op of [voices, previewOp]) {
      assert.deepEqual(op.tags, ['TTS']);
      assert.ok(op.summary && op.security.length >= 2);
    }
    assert.ok(previewOp.responses['200'].content['audio/ogg']);
    assert.ok(previewOp.responses['200'].headers['X-Tts-Cache']);
    for (const status of ['400', '401', '422', '429', '502', '503', '504']) assert.ok(previewOp.responses[status], `documents ${status}`);
    assert.ok(doc.components.schemas.TtsPreviewDto.properties.instructions);
    assert.ok(doc.components.schemas.TtsVoicesResponseDto.properties.speeds);
  });

  it('lists the OpenAI voices and the speed presets in the published shape', async () => {
    const { body } = await api(t).get('/api/tts/voices').expect(200);
    assert.equal(body.success, true);
    assert.equal(body.provider, 'openai');
    assert.equal(body.model, 'gpt-4o-mini-tts');
    assert.equal(body.supportsInstructions, true);
    assert.equal(body.maxTextChars, MAX_TEXT_CHARS);
    for (const id of ['nova', 'alloy', 'coral']) {
      assert.deepEqual(body.voices.find((v: { id: string }) => v.id === id), { id, name: id[0].toUpperCase() + id.slice(1) });
    }
    assert.deepEqual(body.speeds.slice(0, 2), [
      { value: '0.75', label: 'Slow' },
      { value: '1.00', label: 'Normal' },
    ]);
    assert.ok(body.speeds.some((s: { value: string }) => Number(s.value) > 1));
  });

  it('speaks a text as an Ogg Opus voice note, passing OpenAI\'s opus through untouched', async () => {
    const res = await preview({ text: GREETING, instructions: 'Speak warmly.' }).expect(200);
    const body = assertVoiceNote(res);
    assert.equal(res.headers['x-tts-cache'], 'miss');
    assert.match(res.headers['x-tts-cache-key'], /^[0-9a-f]{64}$/);
    assert.equal(res.headers['x-tts-provider'], 'openai');
    assert.equal(res.headers['x-tts-model'], 'gpt-4o-mini-tts');
    assert.equal(fake.requests.length, 1);
    const sent = fake.requests[0];
    assert.equal(sent.authorization, 'Bearer sk-test');
    assert.deepEqual(sent.body, {
      model: 'gpt-4o-mini-tts',
      voice: 'coral',
      input: GREETING,
      response_format: 'opus',
      speed: 1,
      instructions: 'Speak warmly.',
    });
    assert.ok(body.equals(sent.audio!), 'the provider\'s Ogg Opus is sent as is');
  });

  it('answers a repeated request from the cache without calling the provider', async () => {
    const text = 'This sentence is cached after the first request.';
    const first = await preview({ text, voice: 'nova', speed: '1.25' }).expect(200);
    assert.equal(first.headers['x-tts-cache'], 'miss');
    const second = await preview({ text, voice: 'nova', speed: 1.25 }).expect(200);
    assert.equal(second.headers['x-tts-cache'], 'hit');
    assert.equal(second.headers['x-tts-cache-key'], first.headers['x-tts-cache-key']);
    assert.ok((second.body as Buffer).equals(first.body as Buffer));
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.requests[0].body.speed, 1.25);

    // The note and its sidecar are on disk, and the service hands them out by key.
    const key = first.headers['x-tts-cache-key'];
    const dir = join(t.dataDir, 'tts-cache');
    assert.ok(readFileSync(join(dir, `${key}.ogg`)).equals(first.body as Buffer));
    const meta = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8'));
    assert.equal(meta.durationMs, Number(first.headers['x-voice-note-duration-ms']));
    assert.equal(meta.waveform.length, 64);
    const cached = await t.app.get(TtsService).getCached(key);
    assert.ok(cached.data.equals(first.body as Buffer));
    assert.equal(cached.seconds, Number(first.headers['x-voice-note-seconds']));
    await assert.rejects(t.app.get(TtsService).getCached('0'.repeat(64)), (err: AppError) => err.code === 'TTS_AUDIO_NOT_FOUND');

    // Anything that changes the audio is a different entry.
    const slower = await preview({ text, voice: 'nova', speed: 1 }).expect(200);
    assert.equal(slower.headers['x-tts-cache'], 'miss');
    assert.equal(fake.requests.length, 2);
  });

  it('makes one provider call for identical requests in flight at the same time', async () => {
    const text = 'Five people asked for this at once.';
    const results = await Promise.all(Array.from({ length: 5 }, () => preview({ text, voice: 'alloy' }).expect(200)));
    assert.equal(fake.requests.length, 1);
    assert.deepEqual(results.map((r) => r.headers['x-tts-cache']).sort(), ['hit', 'hit', 'hit', 'hit', 'miss']);
    for (const r of results) assert.ok((r.body as Buffer).equals(results[0].body as Buffer));
  });

  it('validates the request body', async () => {
    const unknown = await api(t).post('/api/tts/preview').send({ text: 'hi', pitch: 3 }).expect(400);
    assert.equal(unknown.body.error.code, 'VALIDATION_FAILED');
    const fast = await api(t).post('/api/tts/preview').send({ text: 'hi', speed: 5 }).expect(400);
    assert.deepEqual(fast.body.error.details.fields.map((f: { field: string }) => f.field), ['speed']);
    await api(t).post('/api/tts/preview').send({ voice: 'coral' }).expect(400);

    const voice = await api(t).post('/api/tts/preview').send({ text: 'hi', voice: 'robot' }).expect(422);
    assert.equal(voice.body.error.code, 'TTS_INVALID_INPUT');
    assert.ok(voice.body.error.details.voices.includes('coral'));
    const blank = await api(t).post('/api/tts/preview').send({ text: '   ' }).expect(422);
    assert.equal(blank.body.error.code, 'TTS_INVALID_INPUT');

    const long = await api(t).post('/api/tts/preview').send({ text: 'a'.repeat(MAX_TEXT_CHARS + 1) }).expect(422);
    assert.equal(long.body.error.code, 'TTS_TEXT_TOO_LONG');
    assert.equal(long.body.error.details.maxChars, MAX_TEXT_CHARS);
    assert.equal(fake.requests.length, 0);
  });

  it('maps a refused key to 503 TTS_MISCONFIGURED (permanent)', async () => {
    fake.failNext({ status: 401 });
    const res = await api(t).post('/api/tts/preview').send({ text: 'Key check.' }).expect(503);
    assert.equal(res.body.error.code, 'TTS_MISCONFIGURED');
    assert.equal(res.body.error.details.transient, false);
    assert.ok(!JSON.stringify(res.body).includes('sk-'), 'no key material echoed');
  });

  it('maps a rate limit to 429 TTS_RATE_LIMITED with Retry-After (transient)', async () => {
    fake.failNext({ status: 429, retryAfter: '7' });
    const res = await api(t).post('/api/tts/preview').send({ text: 'Rate limit check.' }).expect(429);
    assert.equal(res.headers['retry-after'], '7');
    assert.equal(res.body.error.code, 'TTS_RATE_LIMITED');
    assert.equal(res.body.error.details.retryAfterSeconds, 7);
    assert.equal(res.body.error.details.transient, true);
    assert.equal(fake.requests.length, 1, 'OPENAI_MAX_RETRIES=0: no client retry');
  });

  it('maps an exhausted quota to 503 TTS_MISCONFIGURED, not to a retryable rate limit', async () => {
    fake.failNext({ status: 429, code: 'insufficient_quota' });
    const res = await api(t).post('/api/tts/preview').send({ text: 'Quota check.' }).expect(503);
    assert.equal(res.body.error.code, 'TTS_MISCONFIGURED');
    assert.equal(res.body.error.details.transient, false);
  });

  it('maps a provider 500 to 502 TTS_PROVIDER_ERROR and does not cache the failure', async () => {
    fake.failNext({ status: 500 });
    const failed = await api(t).post('/api/tts/preview').send({ text: GREETING, voice: 'echo' }).expect(502);
    assert.equal(failed.body.error.code, 'TTS_PROVIDER_ERROR');
    assert.equal(failed.body.error.details.transient, true);
    assert.equal(failed.body.error.details.providerStatus, 500);
    const retried = await preview({ text: GREETING, voice: 'echo' }).expect(200);
    assert.equal(retried.headers['x-tts-cache'], 'miss');
    assert.equal(fake.requests.length, 2);
  });

  it('maps a provider 400 to 422 TTS_INVALID_INPUT (permanent)', async () => {
    fake.failNext({ status: 400 });
    const res = await api(t).post('/api/tts/preview').send({ text: 'Bad input check.' }).expect(422);
    assert.equal(res.body.error.code, 'TTS_INVALID_INPUT');
    assert.equal(res.body.error.details.transient, false);
  });

  it('maps a provider that does not answer to 504 TTS_TIMEOUT (transient)', async () => {
    fake.failNext({ hang: true });
    const started = Date.now();
    const res = await api(t).post('/api/tts/preview').send({ text: 'Timeout check.' }).expect(504);
    assert.ok(Date.now() - started >= OPENAI_TIMEOUT_MS - 50);
    assert.equal(res.body.error.code, 'TTS_TIMEOUT');
    assert.equal(res.body.error.details.transient, true);
  });

  it('splits a long text at sentence boundaries and joins the parts into one note', async () => {
    const sentences = [
      'The first sentence of this long announcement introduces the topic of the day.',
      'The second sentence explains that the warehouse will be closed on Friday afternoon.',
      'A third sentence asks everyone to collect their parcels before noon.',
      'The fourth sentence thanks all customers for their patience and understanding.',
      'Finally, the last sentence wishes everybody a pleasant weekend.',
    ];
    const text = sentences.join(' ');
    assert.ok(text.length > CHUNK_MAX_CHARS * 1.5);
    // Speech is made ahead, so the parts are answered within the client timeout however slow espeak-ng is here.
    await fake.prepare(splitText(text, CHUNK_MAX_CHARS), { voice: 'sage' });
    const res = await preview({ text, voice: 'sage' }).expect(200);
    const body = assertVoiceNote(res);

    const inputs = fake.requests.map((r) => r.body.input as string);
    assert.ok(inputs.length >= 3, `${inputs.length} provider calls`);
    for (const input of inputs) {
      assert.ok(input.length <= CHUNK_MAX_CHARS, `chunk of ${input.length}`);
      assert.ok(sentences.some((s) => input.endsWith(s)), `ends at a sentence boundary: ${input}`);
    }
    assert.equal([...inputs].sort((a, b) => text.indexOf(a) - text.indexOf(b)).join(' '), text);

    const partsMs = fake.requests.reduce((sum, r) => sum + parseOggOpus(r.audio!)!.durationMs, 0);
    const totalMs = parseOggOpus(body)!.durationMs;
    assert.ok(Math.abs(totalMs - partsMs) <= 150, `joined ${totalMs} ms vs parts ${partsMs} ms`);
  });
});

describe('OpenAI provider and models without instructions', () => {
  let fake: FakeOpenAiServer;
  before(async () => {
    fake = await FakeOpenAiServer.start();
  });
  after(() => fake.close());

  it('omits instructions for tts-1 and sends them for gpt-4o-mini-tts', async () => {
    const provider = (model: string) =>
      new OpenAiTtsProvider(new AppConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, TTS_MODEL: model, OPENAI_MAX_RETRIES: '0' }));
    const legacy = provider('tts-1');
    assert.equal(legacy.supportsInstructions('tts-1'), false);
    assert.equal(legacy.supportsInstructions('tts-1-hd'), false);
    await legacy.synthesize({ text: 'Plain.', voice: 'onyx', speed: 1, model: 'tts-1', instructions: 'Whisper.' });
    assert.equal('instructions' in fake.requests[0].body, false);
    assert.equal(fake.requests[0].body.model, 'tts-1');

    const modern = provider('gpt-4o-mini-tts');
    await modern.synthesize({ text: 'Plain.', voice: 'onyx', speed: 1, model: 'gpt-4o-mini-tts', instructions: 'Whisper.' });
    assert.equal(fake.requests[1].body.instructions, 'Whisper.');
  });

  it('retries a 429 itself when OPENAI_MAX_RETRIES allows, then reports it as transient', async () => {
    fake.reset();
    fake.failNext({ status: 429, retryAfter: '0' }, 2);
    const p = new OpenAiTtsProvider(new AppConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_MAX_RETRIES: '1' }));
    await assert.rejects(p.synthesize({ text: 'Again.', voice: 'coral', speed: 1, model: 'gpt-4o-mini-tts' }), (err: AppError) => {
      assert.equal(err.code, 'TTS_RATE_LIMITED');
      assert.equal(isTransient(err), true);
      return true;
    });
    assert.equal(fake.requests.length, 2);
  });

  it('times out a response whose body stalls after the headers', async () => {
    fake.reset();
    fake.failNext({ stallBody: true });
    const p = new OpenAiTtsProvider(new AppConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_MAX_RETRIES: '0', OPENAI_TIMEOUT_MS: '300' }));
    await assert.rejects(p.synthesize({ text: 'Stall.', voice: 'coral', speed: 1, model: 'gpt-4o-mini-tts' }), (err: AppError) => {
      assert.equal(err.code, 'TTS_TIMEOUT');
      assert.equal(isTransient(err), true);
      return true;
    });
  });

  it('reports an unreachable server as a transient TTS_PROVIDER_ERROR', async () => {
    const p = new OpenAiTtsProvider(new AppConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_MAX_RETRIES: '0' }));
    await assert.rejects(p.synthesize({ text: 'Anyone?', voice: 'coral', speed: 1, model: 'gpt-4o-mini-tts' }), (err: AppError) => {
      assert.equal(err.code, 'TTS_PROVIDER_ERROR');
      assert.equal(isTransient(err), true);
      return true;
    });
  });
});

describe('TTS API offline (espeak-ng, no OpenAI key)', () => {
  let t: TestApp;
  const preview = (body: Record<string, unknown>) => api(t).post('/api/tts/preview').send(body).buffer(true).parse(binary);

  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t?.destroy();
  });

  it('says in /api/health which ffmpeg and espeak-ng run', async () => {
    const { body } = await api(t, null).get('/api/health').expect(200);
    const expected = { ffmpeg: locateFfmpeg().source, espeak: locateEspeak().source };
    assert.deepEqual({ ffmpeg: body.tools.ffmpeg.source, espeak: body.tools.espeak.source }, expected);
    assert.equal(body.tools.ffmpeg.available, true);
    assert.equal(body.tools.espeak.available, true);
    assert.match(body.tools.ffmpeg.version, /\S/);
  });

  it('lists espeak voices, each labelled robotic and offline', async () => {
    const { body } = await api(t).get('/api/tts/voices').expect(200);
    assert.equal(body.provider, 'espeak');
    assert.equal(body.model, 'espeak-ng');
    assert.equal(body.defaultVoice, 'en-us');
    assert.equal(body.supportsInstructions, false);
    assert.ok(body.voices.some((v: { id: string }) => v.id === 'en-us'));
    for (const v of body.voices) assert.match(v.name, /\(robotic, offline\)$/);
  });

  it('speaks a preview and caches it', async () => {
    const text = 'The offline voice works without any key.';
    const res = await preview({ text, instructions: 'ignored', speed: '1.00' }).expect(200);
    assertVoiceNote(res);
    assert.equal(res.headers['x-tts-cache'], 'miss');
    const again = await preview({ text, speed: 1 }).expect(200);
    assert.equal(again.headers['x-tts-cache'], 'hit', 'instructions do not change espeak audio, so they are not in the key');
    assert.ok(existsSync(join(t.dataDir, 'tts-cache', `${res.headers['x-tts-cache-key']}.ogg`)));
  });

  it('speaks other languages and refuses voices it does not offer', async () => {
    const res = await preview({ text: 'Bonjour tout le monde.', voice: 'fr-fr' }).expect(200);
    assertVoiceNote(res);
    assert.equal(res.headers['x-tts-provider'], 'espeak');
    const bad = await api(t).post('/api/tts/preview').send({ text: 'hi', voice: 'nobody' }).expect(422);
    assert.equal(bad.body.error.code, 'TTS_INVALID_INPUT');
    assert.ok(bad.body.error.details.voices.includes('coral'), 'the refusal lists the voices offered');
  });

  it('speaks with every voice it lists, OpenAI names included, each sounding different', async () => {
    const { body } = await api(t).get('/api/tts/voices').expect(200);
    const ids: string[] = body.voices.map((v: { id: string }) => v.id);
    for (const openAiVoice of ['alloy', 'ash', 'ballad', 'cedar', 'coral', 'echo', 'fable', 'marin', 'nova', 'onyx', 'sage', 'shimmer', 'verse']) {
      assert.ok(ids.includes(openAiVoice), `${openAiVoice} is offered offline`);
    }
    const notes = new Map<string, string>();
    for (const voice of ids) {
      const res = await preview({ text: 'Hello.', voice }).expect(200);
      assertVoiceNote(res);
      assert.equal(res.headers['x-tts-provider'], 'espeak', voice);
      notes.set(voice, (res.body as Buffer).toString('base64'));
    }
    assert.equal(new Set(notes.values()).size, ids.length, 'no two voices give the same audio');
  });
});
