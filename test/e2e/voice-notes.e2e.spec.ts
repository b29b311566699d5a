import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { SessionRegistry } from '../../src/sessions/session-registry';
import { isSandboxControl } from '../../src/whatsapp/engine/whatsapp-engine.port';
import { FakeOpenAiServer } from '../fakes/fake-openai-server';
import { api, eventually } from '../support/http';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';

/**
 * Text-to-speech voice notes through the send API and the queue, with the real `openai`
 * client talking to a local fake of the speech endpoint.
 */
describe('TTS voice notes through the queue (OpenAI client, fake server)', () => {
  let fake: FakeOpenAiServer;
  let t: TestApp;
  let sessionId: string;

  before(async () => {
    fake = await FakeOpenAiServer.start({ apiKey: 'sk-test' });
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: `${fake.url}/v1`,
        OPENAI_MAX_RETRIES: '0',
        OPENAI_TIMEOUT_MS: '3000',
        ...FAST_QUEUE_ENV,
        QUEUE_RETRY_BASE_DELAY_MS: '50',
      },
    });
    const { body } = await api(t).post('/api/sessions').send({}).expect(201);
    sessionId = body.session.sessionId;
    await api(t).post(`/api/sessions/${sessionId}/sandbox/link`).send({ phoneNumber: '15558000001' }).expect(200);
  });
  after(async () => {
    await t?.destroy();
    await fake?.close();
  });

  const send = (body: Record<string, unknown>) => api(t).post('/api/messages/send').send({ sessionId, type: 'voice', ...body });
  const message = async (id: string) => (await api(t).get(`/api/messages/${id}`).expect(200)).body.message;
  const outbox = () => {
    const engine = t.app.get(SessionRegistry).readyEngine(sessionId);
    assert.ok(engine && isSandboxControl(engine));
    return engine.outbox();
  };

  it('sends a spoken voice note and calls the provider once for a broadcast', async () => {
    fake.reset();
    const text = 'Your table for four is booked for eight tonight.';
    // Speech made ahead: the fake answers within the client timeout however slow espeak-ng is here.
    await fake.prepare([text], { speed: 1.25, voice: 'coral' });
    const ids: string[] = [];
    for (const to of ['15558100001', '15558100002', '15558100003']) {
      ids.push((await send({ to, text, voice: 'coral', speed: 1.25, instructions: 'Speak warmly' }).expect(202)).body.message.id);
    }
    const { tts } = (await message(ids[0])).content;
    assert.deepEqual([tts.provider, tts.model], ['openai', 'gpt-4o-mini-tts'], 'the message says who speaks it');
    const played = await eventually(async () => ((await message(ids[0])).status === 'PLAYED' ? message(ids[0]) : null), 15_000);
    assert.equal(played.media.mimetype, 'audio/ogg; codecs=opus');
    assert.ok(played.media.seconds > 0);
    await eventually(async () => (await Promise.all(ids.map(message))).every((m) => m.sentAt), 15_000);
    const media = await Promise.all(ids.map(async (id) => (await message(id)).media.id));
    assert.equal(new Set(media).size, 1, 'one stored note for the broadcast');
    assert.equal(fake.requests.length, 1, 'the provider was called once');
    assert.equal(fake.requests[0].body.voice, 'coral');
    assert.equal(fake.requests[0].body.speed, 1.25);
    assert.equal(fake.requests[0].body.instructions, 'Speak warmly');
    const sent = outbox().find((m) => m.to === '15558100001@s.whatsapp.net');
    assert.equal(sent?.content.kind, 'voice');
    if (sent?.content.kind === 'voice') {
      assert.equal(sent.content.media.mimetype, 'audio/ogg; codecs=opus');
      assert.equal(sent.content.waveform.length, 64);
      assert.ok(sent.content.seconds >= 1);
    }
  });

  it('retries a transient provider failure in the queue, without calling the provider again once it has audio', async () => {
    fake.reset();
    fake.failNext({ status: 500 });
    await fake.prepare(['A retry after a server error.']);
    const id = (await send({ to: '15558100010', text: 'A retry after a server error.' }).expect(202)).body.message.id;
    const m = await eventually(async () => ((await message(id)).sentAt ? message(id) : null), 15_000);
    assert.equal(m.attempts, 2);
    assert.equal(fake.requests.length, 2);
    const again = (await api(t).post(`/api/messages/send`).send({ sessionId, type: 'voice', to: '15558100011', text: 'A retry after a server error.' }).expect(202)).body.message.id;
    await eventually(async () => (await message(again)).sentAt, 15_000);
    assert.equal(fake.requests.length, 2, 'the cached audio serves the next send');
  });

  it('fails a voice note permanently when the provider refuses the key, with the reason', async () => {
    fake.reset();
    fake.failNext({ status: 401 });
    const id = (await send({ to: '15558100020', text: 'This key is not accepted.' }).expect(202)).body.message.id;
    const m = await eventually(async () => ((await message(id)).status === 'FAILED' ? message(id) : null), 15_000);
    assert.equal(m.error.code, 'TTS_MISCONFIGURED');
    assert.equal(m.attempts, 1);
  });

  it('refuses bad TTS input at the API', async () => {
    const voice = await send({ to: '15558100030', text: 'hi', voice: 'nobody' }).expect(422);
    assert.equal(voice.body.error.code, 'TTS_INVALID_INPUT');
    const speed = await send({ to: '15558100030', text: 'hi', speed: 9 }).expect(400);
    assert.equal(speed.body.error.details.fields[0].field, 'speed');
    const blank = await send({ to: '15558100030', text: '   ' }).expect(422);
    assert.equal(blank.body.error.code, 'TTS_INVALID_INPUT');
  });
});
