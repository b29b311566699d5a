import assert from 'node:assert/strict';
import { describe, it } from '../../support/node-test';
import { clearCredential, loadCredential, saveCredential, signIn, SignInError, type JsonFetch } from '../../../web/src/lib/auth';

/** A fake API: `token` is a valid API token, `secret-password` the admin password (JWT "jwt-1"). */
function fakeApi(opts: { throttled?: boolean } = {}) {
  const calls: string[] = [];
  const fetch: JsonFetch = async (path, init) => {
    calls.push(`${init.method} ${path} ${init.headers.Authorization ?? init.body ?? ''}`);
    if (opts.throttled) return { status: 429, body: { success: false, error: { code: 'TOO_MANY_ATTEMPTS' } } };
    if (path === '/api/auth/verify') {
      const ok = init.headers.Authorization === 'Bearer token' || init.headers.Authorization === 'Bearer jwt-1';
      return ok ? { status: 200, body: { success: true, data: { valid: true, isAdmin: init.headers.Authorization === 'Bearer jwt-1' } } } : { status: 401, body: {} };
    }
    if (path === '/api/auth/login') {
      return JSON.parse(init.body!).password === 'secret password' ? { status: 200, body: { success: true, token: 'jwt-1' } } : { status: 401, body: {} };
    }
    return { status: 404, body: {} };
  };
  return { fetch, calls };
}

describe('dashboard: signing in', () => {
  it('takes an API token as it is, after checking it', async () => {
    const api = fakeApi();
    assert.deepEqual(await signIn(' token ', api.fetch), { token: 'token', via: 'token', isAdmin: false });
    assert.deepEqual(api.calls, ['GET /api/auth/verify Bearer token']);
  });

  it('exchanges the admin password for a login JWT (a password with spaces is never sent as a header)', async () => {
    const api = fakeApi();
    assert.deepEqual(await signIn('secret password', api.fetch), { token: 'jwt-1', via: 'password', isAdmin: true });
    assert.deepEqual(api.calls, ['POST /api/auth/login {"password":"secret password"}', 'GET /api/auth/verify Bearer jwt-1']);
  });

  it('refuses a wrong credential, an empty one, and says when attempts are throttled', async () => {
    await assert.rejects(signIn('nope', fakeApi().fetch), (e: SignInError) => e.code === 'INVALID_CREDENTIALS');
    await assert.rejects(signIn('   ', fakeApi().fetch), (e: SignInError) => e.code === 'EMPTY');
    await assert.rejects(signIn('token', fakeApi({ throttled: true }).fetch), (e: SignInError) => e.code === 'TOO_MANY_ATTEMPTS');
  });

  it('keeps the credential in the tab store and forgets it on sign out or when unreadable', () => {
    const data = new Map<string, string>();
    const store = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
    assert.equal(loadCredential(store), null);
    saveCredential(store, { token: 't', via: 'token', isAdmin: true });
    assert.deepEqual(loadCredential(store), { token: 't', via: 'token', isAdmin: true });
    clearCredential(store);
    assert.equal(loadCredential(store), null);
    data.set('switchboard.credential', '{not json');
    assert.equal(loadCredential(store), null);
  });
});
