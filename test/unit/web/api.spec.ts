import assert from 'node:assert/strict';
import { describe, it } from '../../support/node-test';
import { ApiError, createApi } from '../../../web/src/lib/api';

/** A fetch that answers from a script and records what it was asked. */
function scripted(answer: (path: string, init: RequestInit) => Response) {
  const calls: { path: string; init: RequestInit }[] = [];
  const fetchImpl = (async (path: string, init: RequestInit) => {
    calls.push({ path, init });
    return answer(path, init);
  }) as unknown as typeof fetch;
  return { fetchImpl, calls };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('dashboard: the API client', () => {
  it('sends PATCH with the credential and a JSON body, and returns the answer', async () => {
    const { fetchImpl, calls } = scripted(() => json(200, { success: true, session: { sessionId: 's1' } }));
    const api = createApi(() => 'tok', () => assert.fail('not signed out'), fetchImpl);
    const r = await api.patch<{ session: { sessionId: string } }>('/api/sessions/s1/settings', { dailyLimit: 5 });
    assert.equal(r.session.sessionId, 's1');
    assert.equal(calls[0].init.method, 'PATCH');
    assert.equal((calls[0].init.headers as Record<string, string>).Authorization, 'Bearer tok');
    assert.equal((calls[0].init.headers as Record<string, string>)['Content-Type'], 'application/json');
    assert.equal(calls[0].init.body, '{"dailyLimit":5}');
  });

  it('keeps the code, the message and error.details.fields of a refusal', async () => {
    const { fetchImpl } = scripted(() =>
      json(400, {
        success: false,
        error: { code: 'VALIDATION_FAILED', message: 'Validation failed', details: { fields: [{ field: 'settings.dailyLimit', messages: ['dailyLimit must not be less than 1'] }] } },
      }),
    );
    const api = createApi(() => 'tok', () => assert.fail('not signed out'), fetchImpl);
    await assert.rejects(api.patch('/api/sessions/s1/settings', { dailyLimit: 0 }), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.deepEqual([e.status, e.code, e.message, e.fields], [400, 'VALIDATION_FAILED', 'Validation failed', { settings: 'dailyLimit must not be less than 1' }]);
      return true;
    });
  });

  it('signs the tab out on 401, and names a network failure', async () => {
    let signedOut = 0;
    const api = createApi(() => 'old', () => signedOut++, scripted(() => json(401, { success: false, error: { code: 'UNAUTHORIZED', message: 'no' } })).fetchImpl);
    await assert.rejects(api.get('/api/sessions'), (e: ApiError) => e.status === 401 && e.code === 'UNAUTHORIZED' && Object.keys(e.fields).length === 0);
    assert.equal(signedOut, 1);
    const down = createApi(() => null, () => undefined, (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch);
    await assert.rejects(down.post('/api/webhooks/x/test'), (e: ApiError) => e.status === 0 && e.code === 'NETWORK');
  });
});
