import request from 'supertest';
import type { TestApp } from './test-app';
import { waitFor } from './wait';
import { TEST_API_KEY } from './test-app';

/** supertest bound to a running test app, with the admin key unless `token` is given. */
export function api(t: TestApp, token: string | null = TEST_API_KEY) {
  const agent = request(t.url);
  const auth = <T extends request.Test>(r: T): T => (token ? (r.set('Authorization', `Bearer ${token}`) as T) : r);
  return {
    get: (path: string) => auth(agent.get(path)),
    post: (path: string) => auth(agent.post(path)),
    patch: (path: string) => auth(agent.patch(path)),
    delete: (path: string) => auth(agent.delete(path)),
    raw: agent,
  };
}

/** Polls `fn` until it returns a truthy value or the timeout passes (waitFor with a positional timeout). */
export function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, intervalMs = 25): Promise<T> {
  return waitFor(fn, { timeout: timeoutMs, interval: intervalMs, what: 'eventually' });
}
