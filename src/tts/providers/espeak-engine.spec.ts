import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { isTransient } from '../tts-errors';
import { createEspeakEngine, locateEspeak } from './espeak-engine';

const WASM = { path: '@echogarden/espeak-ng-emscripten', source: 'bundled' as const };
const seconds = (wav: Buffer) => wav.readUInt32LE(40) / 2 / wav.readUInt32LE(24);
const code = (c: ErrorCode, transient: boolean) => (err: unknown) => {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, c);
  assert.equal(isTransient(err), transient);
  return true;
};

describe('espeak-ng built for WebAssembly', () => {
  const engine = createEspeakEngine(WASM, 60_000);

  it('speaks 16-bit mono WAV, faster at a higher rate, with a different sound per variant', async () => {
    const text = 'The offline voice speaks without any program installed.';
    const normal = await engine.speak(text, 'en-us', 175);
    assert.equal(normal.toString('latin1', 0, 4), 'RIFF');
    assert.equal(normal.readUInt16LE(22), 1, 'mono');
    assert.equal(normal.readUInt16LE(34), 16, '16-bit');
    assert.equal(normal.readUInt32LE(40), normal.length - 44, 'data size written');
    assert.ok(seconds(normal) > 2, `${seconds(normal)} s`);
    const fast = await engine.speak(text, 'en-us', 350);
    assert.ok(seconds(fast) < seconds(normal) * 0.7, `${seconds(fast)} vs ${seconds(normal)}`);
    const [female, male] = await Promise.all([engine.speak(text, 'en-us+f3', 175), engine.speak(text, 'en-us+m3', 175)]);
    assert.ok(!female.equals(male) && !female.equals(normal), 'variants sound different');
  });

  it('finds regional voices this build names by language only, and refuses unknown ones', async () => {
    const available = await engine.available(['en-us', 'en-gb', 'en-gb+m4', 'fr-fr', 'pt-br', 'xx-none']);
    assert.deepEqual([...(available ?? [])].sort(), ['en-gb', 'en-gb+m4', 'en-us', 'fr-fr', 'pt-br']);
    assert.ok(seconds(await engine.speak('Bonjour.', 'fr-fr', 175)) > 0.3);
    await assert.rejects(engine.speak('hello', 'xx-none', 175), code(ErrorCode.TTS_PROVIDER_ERROR, false));
  });

  it('ends a synthesis that outlasts the timeout as TTS_TIMEOUT (transient) instead of waiting', async () => {
    const impatient = createEspeakEngine(WASM, 1);
    await assert.rejects(impatient.speak('This takes longer than a millisecond.', 'en-us', 175), code(ErrorCode.TTS_TIMEOUT, true));
  });

  it('reports itself as the bundled package with its version', async () => {
    assert.deepEqual(await engine.describe(), { source: 'bundled', available: true, version: `${WASM.path}@0.3.5` });
  });
});

describe('espeak-ng as a program', () => {
  it('fails at once with TTS_MISCONFIGURED (permanent) when the configured program does not exist', async () => {
    const location = locateEspeak('/nonexistent/espeak-ng');
    assert.deepEqual(location, { path: '/nonexistent/espeak-ng', source: 'configured' });
    const engine = createEspeakEngine(location, 60_000);
    await assert.rejects(engine.speak('hi', 'en-us', 175), code(ErrorCode.TTS_MISCONFIGURED, false));
    assert.equal(await engine.available(['en-us']), null);
    assert.deepEqual(await engine.describe(), { source: 'configured', available: false });
  });
});
