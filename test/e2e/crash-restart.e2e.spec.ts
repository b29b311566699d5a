import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from '../support/node-test';
import { Client } from 'pg';
import { eventually } from '../support/http';
import { callServer, serverProcessEnv, startServerProcess, type ServerProcess } from '../support/server-process';
import { TEST_API_KEY } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const TOTAL = 120;

/**
 * kill -9 of a real server process in the middle of dispatching: after a restart every
 * accepted message is sent, under the WhatsApp id chosen at enqueue, and none is lost.
 * Needs a PostgreSQL server (DATABASE_URL): a killed process cannot be expected to leave an
 * embedded database consistent.
 */
describe('Crash safety of the queue (kill -9 mid-dispatch)', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-crash-'));
  const sendLog = join(dataDir, 'sends.jsonl');

  after(async () => {
    await server?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (path: string, init?: RequestInit) => callServer(server!.url, TEST_API_KEY, path, init);

  it('loses nothing and reuses the WhatsApp ids after a restart', async () => {
    database = await createTestDatabase('postgres');
    const env = serverProcessEnv(database.url, dataDir, {
      SANDBOX_SEND_LOG: sendLog,
      SANDBOX_RECEIPT_DELAY_MS: '0',
    });
    server = await startServerProcess(env);
    const created = await call('/api/sessions', { method: 'POST', body: JSON.stringify({}) });
    const sessionId = created.body.session.sessionId;
    await call(`/api/sessions/${sessionId}/sandbox/link`, { method: 'POST', body: JSON.stringify({ phoneNumber: '15550400001' }) });
    // Paced so the kill lands while the queue is still draining.
    await call(`/api/sessions/${sessionId}/settings`, { method: 'PATCH', body: JSON.stringify({ minDelayMs: 15, maxDelayMs: 25 }) });
    const accepted: { id: string; waMessageId: string }[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const res = await call('/api/messages/send', {
        method: 'POST',
        body: JSON.stringify({ sessionId, to: `1555041${String(i + 1).padStart(4, '0')}`, type: 'text', text: `n${i}` }),
      });
      assert.equal(res.status, 202);
      accepted.push(res.body.message);
    }
    await eventually(async () => existsSync(sendLog) && readFileSync(sendLog, 'utf8').split('\n').length > 20, 10_000);
    await server.kill9();
    const sentBeforeCrash = readFileSync(sendLog, 'utf8').trim().split('\n').length;
    assert.ok(sentBeforeCrash < TOTAL, `the crash came too late (${sentBeforeCrash} already sent)`);

    server = await startServerProcess(env);
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      await eventually(async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM message WHERE status IN ('SENT', 'DELIVERED', 'READ')`);
        return rows[0].n === TOTAL;
      }, 30_000).catch(async (err) => {
        const { rows } = await db.query(`SELECT status, count(*)::int AS n, max(attempts) AS a FROM message GROUP BY status`);
        const s = await db.query(`SELECT status, active, last_error FROM session`);
        throw new Error(`${err.message}: ${JSON.stringify(rows)} ${JSON.stringify(s.rows)}\n${server!.output().slice(-3000)}`);
      });
      const { rows } = await db.query(`SELECT id, wa_message_id FROM message`);
      assert.equal(rows.length, TOTAL);
      const byId = new Map(rows.map((r) => [r.id, r.wa_message_id]));
      for (const m of accepted) assert.equal(byId.get(m.id), m.waMessageId, 'the WhatsApp id never changes');
    } finally {
      await db.end();
    }
    const sends = readFileSync(sendLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    const sentIds = new Set(sends.map((s) => s.id));
    assert.deepEqual([...sentIds].sort(), accepted.map((m) => m.waMessageId).sort(), 'every accepted message reached the engine under its own id');
    // At most the one message in flight at the kill is sent again, and under the same id.
    assert.ok(sends.length - sentIds.size <= 1, `${sends.length - sentIds.size} duplicate sends`);
  });
});
