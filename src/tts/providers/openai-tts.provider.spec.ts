import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APIConnectionTimeoutError, APIError } from 'openai';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { isTransient } from '../tts-errors';
import { mapOpenAiError, retryAfterSecondsOf } from './openai-tts.provider';

const ctx = { model: 'gpt-4o-mini-tts', timeoutMs: 1000 };
const apiError = (status: number, body: object = {}, headers: Record<string, string> = {}) =>
  APIError.generate(status, { error: body }, undefined, new Headers(headers));

describe('mapOpenAiError', () => {
  const cases: [number, object, ErrorCode, boolean][] = [
    [400, { message: 'bad voice', param: 'voice' }, ErrorCode.TTS_INVALID_INPUT, false],
    [401, { message: 'Incorrect API key provided: sk-abc***' }, ErrorCode.TTS_MISCONFIGURED, false],
    [403, {}, ErrorCode.TTS_MISCONFIGURED, false],
    [404, {}, ErrorCode.TTS_MISCONFIGURED, false],
    [409, {}, ErrorCode.TTS_PROVIDER_ERROR, true],
    [422, {}, ErrorCode.TTS_PROVIDER_ERROR, false],
    [429, { code: 'rate_limit_exceeded' }, ErrorCode.TTS_RATE_LIMITED, true],
    [429, { code: 'insufficient_quota' }, ErrorCode.TTS_MISCONFIGURED, false],
    [500, {}, ErrorCode.TTS_PROVIDER_ERROR, true],
    [503, {}, ErrorCode.TTS_PROVIDER_ERROR, true],
  ];
  for (const [status, body, code, transient] of cases) {
    it(`maps HTTP ${status} ${JSON.stringify(body)} to ${code} (${transient ? 'transient' : 'permanent'})`, () => {
      const err = mapOpenAiError(apiError(status, body), ctx) as AppError;
      assert.ok(err instanceof AppError);
      assert.equal(err.code, code);
      assert.equal(isTransient(err), transient);
      assert.ok(!err.message.includes('sk-abc'), 'never echoes key material');
    });
  }

  it('maps a client timeout to TTS_TIMEOUT and leaves foreign errors alone', () => {
    const err = mapOpenAiError(new APIConnectionTimeoutError(), ctx) as AppError;
    assert.equal(err.code, ErrorCode.TTS_TIMEOUT);
    assert.ok(isTransient(err));
    const bug = new TypeError('oops');
    assert.equal(mapOpenAiError(bug, ctx), bug);
    assert.equal(isTransient(bug), false);
  });

  it('passes the provider message of a 400 on, and reads Retry-After in every form', () => {
    assert.match((mapOpenAiError(apiError(400, { message: 'string too long' }), ctx) as AppError).message, /string too long/);
    assert.equal(retryAfterSecondsOf(new Headers({ 'retry-after': '12' })), 12);
    assert.equal(retryAfterSecondsOf(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' })), 2);
    const inTen = new Date(Date.now() + 10_000).toUTCString();
    const fromDate = retryAfterSecondsOf(new Headers({ 'retry-after': inTen }))!;
    assert.ok(fromDate >= 9 && fromDate <= 11, String(fromDate));
    assert.equal(retryAfterSecondsOf(new Headers()), undefined);
    const limited = mapOpenAiError(apiError(429, {}, { 'retry-after': '4' }), ctx) as AppError;
    assert.equal((limited.details as { retryAfterSeconds: number }).retryAfterSeconds, 4);
  });
});
