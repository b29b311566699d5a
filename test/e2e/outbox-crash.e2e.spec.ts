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
import { WebhookReceiver } from '../support/webhook-receiver';

const TOTAL = 300;

/**
 * kill -9 of a real server process while it sends messages and records their receipts, with
 * a webhook subscribed: after a restart, every message whose status the database holds has
 * that status in a `message.status` event (outbox row and webhook delivery). The status
 * change and its event are one transaction, so no crash can separate them. Needs a
 * PostgreSQL server (DATABASE_URL), like the other kill -9 test.
 */
describe('Event outbox across a crash (kill -9 mid-dispatch)', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  let receiver: WebhookReceiver | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-outbox-crash-'));
  const sendLog = join(dataDir, 'sends.jsonl');

  after(async () => {
    await server?.stop();
    await receiver?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (path: string, init?: RequestInit) => callServer(server!.url, TEST_API_KEY, path, init);

  it('every status a message holds after the crash has its message.status event', async () => {
    database = await createTestDatabase('postgres');
    receiver = await WebhookReceiver.start();
    const env = serverProcessEnv(database.url, dataDir, {
      SANDBOX_SEND_LOG: sendLog,
      SANDBOX_RECEIPT_DELAY_MS: '3',
    });
    server = await startServerProcess(env);
    const created = await call('/api/sessions', { method: 'POST', body: JSON.stringify({}) });
    const sessionId = created.body.session.sessionId;
    const hook = await call('/api/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url, sessionId, events: ['message.status'] }) });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    await call(`/api/sessions/${sessionId}/sandbox/link`, { method: 'POST', body: JSON.stringify({ phoneNumber: '15550420001' }) });
    await call(`/api/sessions/${sessionId}/settings`, { method: 'PATCH', body: JSON.stringify({ minDelayMs: 0, maxDelayMs: 0 }) });
    const accepted = await Promise.all(
      Array.from({ length: TOTAL }, async (_, i) => {
        const res = await call('/api/messages/send', {
          method: 'POST',
          body: JSON.stringify({ sessionId, to: `1555042${String(i + 1).padStart(4, '0')}`, type: 'text', text: `n${i}` }),
        });
        assert.equal(res.status, 202);
        return res.body.message as { id: string };
      }),
    );
    assert.equal(accepted.length, TOTAL);
    // Kill while sends and receipts are being recorded.
    await eventually(async () => existsSync(sendLog) && readFileSync(sendLog, 'utf8').split('\n').length > TOTAL / 3, 20_000, 2);
    await server.kill9();
    const sentBeforeCrash = readFileSync(sendLog, 'utf8').trim().split('\n').length;
    assert.ok(sentBeforeCrash < TOTAL, `the crash came too late (${sentBeforeCrash} already sent)`);

    server = await startServerProcess(env);
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      // The restarted process sends the rest (their receipts come from its sandbox).
      await eventually(async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM message WHERE status NOT IN ('QUEUED', 'SENDING')`);
        return rows[0].n === TOTAL;
      }, 30_000);
      const { rows: messages } = await db.query(`SELECT id, status FROM message`);
      const events = async (table: 'webhook_delivery' | 'event_outbox') => {
        const column = table === 'webhook_delivery' ? 'body' : 'envelope';
        const { rows } = await db.query(`SELECT ${column} AS body FROM ${table} WHERE ${table === 'webhook_delivery' ? 'event_type' : 'type'} = 'message.status'`);
        const seen = new Set<string>();
        for (const r of rows) {
          const data = JSON.parse(r.body).data;
          seen.add(`${data.messageId} ${data.status}`);
        }
        return seen;
      };
      for (const table of ['webhook_delivery', 'event_outbox'] as const) {
        const seen = await events(table);
        const missing = messages.filter((m) => !seen.has(`${m.id} ${m.status}`));
        assert.deepEqual(
          missing.map((m) => `${m.id} ${m.status}`),
          [],
          `${missing.length} of ${TOTAL} messages hold a status without its event in ${table} (${sentBeforeCrash} sent before the crash)`,
        );
      }
    } finally {
      await db.end();
    }
  });
});
