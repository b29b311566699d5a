import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from '../support/node-test';
import { AuthStateStore } from '../../src/whatsapp/auth-state/auth-state.store';
import { useDbAuthState } from '../../src/whatsapp/baileys/baileys-auth-state';
import { api } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createSession } from '../support/factories';

describe('AuthStateStore on the real database', () => {
  let t: TestApp;
  let store: AuthStateStore;
  let sessionId: string;

  before(async () => {
    t = await startTestApp({ env: { AUTH_STATE_KEY: randomBytes(32).toString('hex') } });
    store = t.app.get(AuthStateStore);
    sessionId = await createSession(t);
  });
  after(async () => {
    await t?.destroy();
  });

  it('writes many keys in one transaction, reads only what exists, deletes on null', async () => {
    const writes = Array.from({ length: 900 }, (_, i) => ({ type: 'pre-key', id: String(i + 1), value: JSON.stringify({ n: i + 1 }) }));
    await store.write(sessionId, writes);
    assert.equal(await store.countKeys(sessionId), 900);
    const got = await store.read(sessionId, 'pre-key', ['1', '900', '901']);
    assert.deepEqual([...got.keys()].sort(), ['1', '900']);
    assert.equal(got.get('900'), '{"n":900}');
    await store.write(sessionId, [
      { type: 'pre-key', id: '1', value: null },
      { type: 'session', id: '15551234567.0', value: '{"s":1}' },
      { type: 'pre-key', id: '2', value: '{"n":"updated"}' },
    ]);
    assert.equal((await store.read(sessionId, 'pre-key', ['1'])).size, 0);
    assert.equal((await store.read(sessionId, 'pre-key', ['2'])).get('2'), '{"n":"updated"}');
    assert.equal((await store.read(sessionId, 'session', ['15551234567.0'])).get('15551234567.0'), '{"s":1}');
  });

  it('rolls back a whole batch when one row fails', async () => {
    const before = await store.countKeys(sessionId);
    await assert.rejects(
      // 450 rows span two INSERT chunks; the last id holds a NUL that Postgres text refuses.
      store.write(sessionId, [
        ...Array.from({ length: 449 }, (_, i) => ({ type: 'sender-key', id: `k${i}`, value: '{"ok":true}' })),
        { type: 'sender-key', id: 'bad\u0000id', value: '{"ok":false}' },
      ]),
    );
    assert.equal(await store.countKeys(sessionId), before);
  });

  it('encrypts values at rest with AUTH_STATE_KEY', async () => {
    await store.writeCreds(sessionId, '{"noiseKey":"very-secret-material"}');
    const [row] = await t.dataSource.query(`SELECT value FROM wa_auth_key WHERE session_id = $1 AND type = 'creds'`, [sessionId]);
    assert.match(row.value, /^enc:v2:/);
    assert.ok(!row.value.includes('very-secret-material'));
    assert.equal(await store.readCreds(sessionId), '{"noiseKey":"very-secret-material"}');
    assert.equal(await store.hasCreds(sessionId), true);
    await store.clear(sessionId);
    assert.equal(await store.hasCreds(sessionId), false);
    assert.equal(await store.countKeys(sessionId), 0);
  });
  it("commits the writes of many sessions together, each caller's whole, and a bad one fails alone", async () => {
    const others = [await createSession(t), await createSession(t), await createSession(t)];
    const before = await store.countKeys(others[2]);
    const results = await Promise.allSettled([
      // Sent together, as sessions that finished their sends in one turn: one group.
      store.write(others[0], [{ type: 'session', id: 'a.0', value: '{"v":1}' }]),
      store.write(others[1], [{ type: 'session', id: 'b.0', value: '{"v":1}' }]),
      store.write(others[0], [{ type: 'session', id: 'a.0', value: '{"v":2}' }, { type: 'session', id: 'a.1', value: '{"v":1}' }]),
      store.write(others[2], [{ type: 'session', id: 'ok', value: '{}' }, { type: 'session', id: 'bad\u0000id', value: '{}' }]),
      store.write(others[1], [{ type: 'session', id: 'b.0', value: null }, { type: 'session', id: 'b.1', value: '{"v":3}' }]),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const a = await store.read(others[0], 'session', ['a.0', 'a.1']);
    assert.equal(a.get('a.0'), '{"v":2}', 'the later write of a key wins');
    assert.equal(a.get('a.1'), '{"v":1}');
    const b = await store.read(others[1], 'session', ['b.0', 'b.1']);
    assert.deepEqual([...b.keys()], ['b.1'], 'deleted by the later write');
    assert.equal(await store.countKeys(others[2]), before, 'the failed write left nothing, not even its good row');
  });

  it('a clear removes what was written before it and keeps what came after', async () => {
    const other = await createSession(t);
    await Promise.all([
      store.write(other, [{ type: 'session', id: 'old', value: '{}' }]),
      store.clear(other),
      store.write(other, [{ type: 'session', id: 'new', value: '{}' }]),
    ]);
    assert.deepEqual([...(await store.read(other, 'session', ['old', 'new'])).keys()], ['new']);
  });
  it("Baileys' key store reads a key found absent only once, until it is written", async () => {
    const id = await createSession(t);
    const { state } = await useDbAuthState(store, id);
    const reads: string[][] = [];
    const read = store.read.bind(store);
    store.read = (sessionId, type, ids) => (reads.push(ids), read(sessionId, type, ids));
    try {
      assert.deepEqual(await state.keys.get('tctoken', ['__index', 'a@lid']), {});
      assert.deepEqual(await state.keys.get('tctoken', ['__index', 'a@lid']), {});
      assert.deepEqual(reads, [['__index', 'a@lid']], 'the second read asked the database nothing');
      await state.keys.set({ tctoken: { 'a@lid': { token: Buffer.from('t') } } });
      const got = await state.keys.get('tctoken', ['__index', 'a@lid']);
      assert.equal(Buffer.from(got['a@lid'].token).toString(), 't', 'a written key is read again');
      assert.deepEqual(reads.at(-1), ['a@lid']);
      // Another writer (here: the store directly) is not seen for a key remembered absent, so
      // a read overlapping a write must not remember anything.
      reads.length = 0;
      const pending = state.keys.get('session', ['x.0']);
      await state.keys.set({ 'sender-key': { g: Buffer.from('k') } });
      assert.deepEqual(await pending, {});
      await store.write(id, [{ type: 'session', id: 'x.0', value: JSON.stringify({ s: 1 }) }]);
      assert.deepEqual(await state.keys.get('session', ['x.0']), { 'x.0': { s: 1 } });
      await state.keys.clear!();
      assert.deepEqual(await state.keys.get('tctoken', ['a@lid']), {});
      assert.deepEqual(reads.at(-1), ['a@lid'], 'clear forgets what was remembered');
    } finally {
      store.read = read;
    }
  });
  it("keeps each session's writes (and a clear) in order while other sessions' transactions commit alongside", async () => {
    const sessions = [await createSession(t), await createSession(t), await createSession(t)];
    const pending: Promise<void>[] = [];
    pending.push(store.write(sessions[0], [{ type: 'session', id: 'before-clear', value: '"gone"' }]));
    for (let i = 0; i < 60; i++) {
      const sessionId = sessions[i % 3];
      pending.push(store.write(sessionId, [{ type: 'session', id: 'x', value: String(i) }]));
      if (i === 30) pending.push(store.clear(sessions[0]));
      // Across turns, so several transactions are under way at once.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(pending);
    for (const [n, sessionId] of sessions.entries()) {
      assert.equal((await store.read(sessionId, 'session', ['x'])).get('x'), String(57 + n), 'the last write of each session wins');
    }
    assert.equal((await store.read(sessions[0], 'session', ['before-clear'])).size, 0, 'the clear came after the first write');
  });
});
