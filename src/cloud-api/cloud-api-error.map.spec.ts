import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { AppError, SessionNotFoundError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { CloudApiError, GraphObjectNotFoundError, GraphUnknownFieldError } from './cloud-api.errors';
import { META_ERRORS, NATIVE_TO_META, toMetaError, unsupportedMethodOn, type MetaErrorContext } from './cloud-api-error.map';

const ctx: MetaErrorContext = { method: 'POST', hasCredential: true, path: '/123/messages', requestId: 'req-1' };

/** Native code → [Meta code, HTTP status]; one row per mapping, pinned. */
const EXPECTED: Record<string, [number, number]> = {
  VALIDATION_FAILED: [100, 400],
  MALFORMED_JSON: [100, 400],
  PAYLOAD_TOO_LARGE: [100, 400],
  UNSUPPORTED_MEDIA_TYPE: [100, 400],
  ROUTE_NOT_FOUND: [2500, 400],
  UNAUTHENTICATED: [190, 401],
  INVALID_CREDENTIALS: [190, 401],
  FORBIDDEN: [10, 403],
  ADMIN_REQUIRED: [10, 403],
  TOKEN_NOT_FOUND: [100, 400],
  SESSION_NOT_FOUND: [100, 400],
  SESSION_NOT_READY: [131016, 503],
  SESSION_BUSY: [131016, 503],
  SESSION_INACTIVE: [131016, 503],
  SESSION_ALREADY_LINKED: [100, 400],
  QR_NOT_AVAILABLE: [100, 400],
  ENGINE_UNSUPPORTED: [3, 500],
  NOT_IMPLEMENTED: [3, 500],
  SESSION_NOT_LINKED: [133010, 400],
  RECIPIENT_INVALID: [131009, 400],
  MESSAGE_NOT_FOUND: [100, 400],
  MESSAGE_NOT_CANCELABLE: [100, 400],
  MESSAGE_NOT_RESENDABLE: [100, 400],
  IDEMPOTENCY_CONFLICT: [131000, 500],
  MEDIA_URL_FORBIDDEN: [131009, 400],
  MEDIA_FETCH_FAILED: [131053, 400],
  MEDIA_TOO_LARGE: [131053, 400],
  MEDIA_TOO_MANY_PIXELS: [131053, 400],
  MEDIA_TYPE_MISMATCH: [131053, 400],
  MEDIA_INVALID: [131053, 400],
  ENGINE_ERROR: [131000, 500],
  DATABASE_UNAVAILABLE: [131016, 503],
  INTERNAL_ERROR: [131000, 500],
  AUDIO_INVALID: [131053, 400],
  AUDIO_CONVERSION_FAILED: [131053, 400],
  FFMPEG_UNAVAILABLE: [131016, 503],
  TTS_TEXT_TOO_LONG: [131009, 400],
  TTS_INVALID_INPUT: [131009, 400],
  TTS_MISCONFIGURED: [3, 500],
  TTS_RATE_LIMITED: [130429, 400],
  TTS_TIMEOUT: [131016, 503],
  TTS_PROVIDER_ERROR: [131000, 500],
  TTS_AUDIO_NOT_FOUND: [100, 400],
  TEMPLATE_NOT_FOUND: [132001, 404],
  TEMPLATE_EXISTS: [100, 400],
};

describe('Cloud API error map', () => {
  it('has a pinned expectation for every mapped native code', () => {
    assert.deepEqual(Object.keys(NATIVE_TO_META).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [native, [code, status]] of Object.entries(EXPECTED)) {
    it(`${native} → ${code} (HTTP ${status})`, () => {
      const res = toMetaError(new AppError(native as ErrorCode, `detail of ${native}`), ctx);
      assert.equal(res.status, status);
      assert.equal(res.body.error.code, code);
      assert.equal(res.body.error.fbtrace_id, 'req-1');
      if (code === 190) assert.equal(res.body.error.message, 'Invalid OAuth access token - Cannot parse access token');
      else if (code === 10) assert.equal(res.body.error.message, '(#10) Application does not have permission for this action');
      else if (code === 2500) assert.equal(res.body.error.message, 'Unknown path components: /123/messages');
      else if (native === 'SESSION_NOT_FOUND' || native === 'TOKEN_NOT_FOUND') assert.equal(res.body.error.type, 'GraphMethodException');
      else {
        assert.equal(res.body.error.message, `(#${code}) ${META_ERRORS[code].title}`);
        assert.equal(res.body.error.error_data?.details, `detail of ${native}`);
      }
    });
  }

  for (const [code, { http, title }] of Object.entries(META_ERRORS)) {
    it(`Meta code ${code} renders as "(#${code}) ${title}" with HTTP ${http}`, () => {
      const res = toMetaError(new CloudApiError(Number(code), 'why'), ctx);
      assert.equal(res.status, http);
      assert.deepEqual(res.body, {
        error: {
          message: `(#${code}) ${title}`,
          type: 'OAuthException',
          code: Number(code),
          error_data: { messaging_product: 'whatsapp', details: 'why' },
          fbtrace_id: 'req-1',
        },
      });
    });
  }

  it('answers 104 (HTTP 400) when no token was sent and 190 (HTTP 401) for a bad one', () => {
    const none = toMetaError(new AppError(ErrorCode.UNAUTHENTICATED, 'x'), { ...ctx, hasCredential: false });
    assert.equal(none.status, 400);
    assert.deepEqual(none.body, { error: { message: 'An access token is required to request this resource.', type: 'OAuthException', code: 104, fbtrace_id: 'req-1' } });
    const bad = toMetaError(new AppError(ErrorCode.UNAUTHENTICATED, 'x'), ctx);
    assert.equal(bad.status, 401);
    assert.equal(bad.wwwAuthenticate, 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"');
  });

  it("answers Graph's object-not-found (100/33) with the verb of the request", () => {
    const res = toMetaError(new GraphObjectNotFoundError('999'), { ...ctx, method: 'DELETE' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.type, 'GraphMethodException');
    assert.equal(res.body.error.error_subcode, 33);
    assert.match(res.body.error.message, /^Unsupported delete request\. Object with ID '999' does not exist/);
    const session = toMetaError(new SessionNotFoundError('abc'), { ...ctx, method: 'GET' });
    assert.match(session.body.error.message, /^Unsupported get request\. Object with ID 'abc'/);
  });

  it('names an unknown field like Graph', () => {
    const res = toMetaError(new GraphUnknownFieldError('foo', 'WhatsAppBusinessPhoneNumber'), ctx);
    assert.deepEqual(res.body.error, {
      message: '(#100) Tried accessing nonexisting field (foo) on node type (WhatsAppBusinessPhoneNumber)',
      type: 'OAuthException',
      code: 100,
      fbtrace_id: 'req-1',
    });
  });

  it('maps HTTP exceptions by status and never leaks unknown errors', () => {
    assert.equal(toMetaError(new PayloadTooLargeException('File too large'), ctx).body.error.code, 131053);
    assert.equal(toMetaError(new NotFoundException(), { ...ctx, path: '/123/unknown_edge' }).body.error.code, 2500);
    // A node or a known edge asked with a method it does not support: Graph's 100/33.
    const put = toMetaError(new NotFoundException(), { ...ctx, method: 'PUT' });
    assert.deepEqual([put.status, put.body.error.code, put.body.error.error_subcode, put.body.error.type], [400, 100, 33, 'GraphMethodException']);
    assert.match(put.body.error.message, /^Unsupported put request\. Object with ID '123'/);
    assert.equal(toMetaError(new HttpException('teapot', 418), ctx).body.error.code, 100);
    const unknown = toMetaError(new Error('secret stack detail'), ctx);
    assert.equal(unknown.status, 500);
    assert.equal(unknown.body.error.code, 131000);
    assert.ok(!JSON.stringify(unknown.body).includes('secret'));
  });

  it('falls back by HTTP status for native codes it does not list', () => {
    const res = toMetaError(new AppError('WEBHOOK_NOT_FOUND' as ErrorCode, 'gone'), ctx);
    assert.equal(res.body.error.code, 100);
  });
});

describe('unsupportedMethodOn', () => {
  it('names the node of a node path or a known edge, and nothing for unknown paths', () => {
    assert.equal(unsupportedMethodOn('/123'), '123');
    assert.equal(unsupportedMethodOn('/cloud-api/123/register'), '123');
    assert.equal(unsupportedMethodOn('/123/subscribed_apps'), '123');
    assert.equal(unsupportedMethodOn('/123/unknown_edge'), null);
    assert.equal(unsupportedMethodOn('/123/messages/x'), null);
    assert.equal(unsupportedMethodOn('/'), null);
  });
});
