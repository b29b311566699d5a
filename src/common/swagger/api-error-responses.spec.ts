import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DECORATORS } from '@nestjs/swagger';
import { ERROR_HTTP_STATUS, ErrorCode } from '../errors/error-codes';
import { ApiErrorResponses } from './api-error-responses';

type Responses = Record<string, { description?: string; examples?: Record<string, { value: { error: { code: string; message: string } } }> }>;

function controllerFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) controllerFiles(full, out);
    else if (/\.controller\.js$/.test(name)) out.push(full);
  }
  return out;
}

/** Every documented error response of every route: `Class.method`, status, its examples. */
function documentedErrors(): { route: string; status: number; responses: Responses[string] }[] {
  const found: { route: string; status: number; responses: Responses[string] }[] = [];
  for (const file of controllerFiles(join(__dirname, '..', '..'))) {
    for (const exported of Object.values(require(file) as Record<string, unknown>)) {
      if (typeof exported !== 'function') continue;
      const proto = (exported as { prototype: Record<string, unknown> }).prototype;
      for (const key of Object.getOwnPropertyNames(proto)) {
        const method = proto[key];
        if (key === 'constructor' || typeof method !== 'function') continue;
        const responses = (Reflect.getMetadata(DECORATORS.API_RESPONSE, method) ?? {}) as Responses;
        for (const [status, r] of Object.entries(responses)) {
          if (Number(status) >= 400) found.push({ route: `${exported.name}.${key}`, status: Number(status), responses: r });
        }
      }
    }
  }
  return found;
}

describe('ApiErrorResponses', () => {
  it('gives each status only examples of codes the server answers with that status', () => {
    class Probe {
      @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503, 'MESSAGE_NOT_FOUND', 'MESSAGE_NOT_CANCELABLE')
      route(): void {}
    }
    const responses = Reflect.getMetadata(DECORATORS.API_RESPONSE, Probe.prototype.route) as Responses;
    assert.deepEqual(Object.keys(responses).sort(), ['400', '401', '403', '404', '409', '413', '415', '422', '429', '503']);
    assert.deepEqual(Object.keys(responses['404'].examples ?? {}), [ErrorCode.SESSION_NOT_FOUND, ErrorCode.MESSAGE_NOT_FOUND]);
    for (const [status, r] of Object.entries(responses)) {
      for (const example of Object.values(r.examples ?? {})) {
        assert.equal(ERROR_HTTP_STATUS[example.value.error.code as ErrorCode], Number(status), example.value.error.code);
        assert.notEqual(example.value.error.message, example.value.error.code, `${example.value.error.code} has a real message`);
      }
    }
  });

  it('documents every route of the app with specific, real error examples and no 501', () => {
    const errors = documentedErrors();
    assert.ok(errors.length > 50, `found ${errors.length} documented error responses`);
    const problems: string[] = [];
    for (const { route, status, responses } of errors) {
      if (status === 501) problems.push(`${route}: documents 501`);
      for (const example of Object.values(responses.examples ?? {})) {
        const code = example.value.error.code as ErrorCode;
        if (ERROR_HTTP_STATUS[code] !== status) problems.push(`${route}: ${code} under ${status}`);
        if (example.value.error.message === code) problems.push(`${route}: ${code} has no example message`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
