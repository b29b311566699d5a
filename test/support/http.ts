import request from 'supertest';
import type { TestApp } from './test-app';
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

/** Polls `fn` until it returns a truthy value or the timeout passes. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 5_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`eventually: condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
