import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from '../support/node-test';
import { Client } from 'pg';
import { eventually } from '../support/http';
import { callServer, serverProcessEnv, startServerProcess, type ServerProcess } from '../support/server-process';
import { TEST_API_KEY } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { verifySignature, WebhookReceiver } from '../support/webhook-receiver';

const MESSAGES = 40;
const SECRET = 'restart-test-secret-0123456789';

/**
 * kill -9 of a real server process while webhook deliveries are pending: after a restart on
 * the same database every delivery reaches the receiver, each subscription's in order of
 * creation, with at most the one request in flight at the kill sent twice (same event id).
 * Needs a PostgreSQL server (DATABASE_URL).
 */
describe('Webhook deliveries survive a crash (kill -9 and restart)', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  let receiver: WebhookReceiver | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-webhook-crash-'));

  after(async () => {
    await server?.stop();
    await receiver?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (path: string, method = 'GET', body?: unknown) =>
    callServer(server!.url, TEST_API_KEY, path, { method, body: body === undefined ? undefined : JSON.stringify(body) });

  /** Requests in flight per webhook at once, each for another chat (every message here has its own chat). */
  const CHAT_CONCURRENCY = 4;

  it('delivers everything in order after a restart', async (ctx) => {
    database = await createTestDatabase('postgres');
    receiver = await WebhookReceiver.start();
    const env = serverProcessEnv(database.url, dataDir, {
      SANDBOX_RECEIPT_DELAY_MS: '0',
      DEFAULT_MIN_DELAY_MS: '0',
      DEFAULT_MAX_DELAY_MS: '0',
      WEBHOOK_TIMEOUT_MS: '400',
      WEBHOOK_LEASE_MS: '1500',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_RETRY_MAX_MS: '300',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_CHAT_CONCURRENCY: String(CHAT_CONCURRENCY),
    });
    server = await startServerProcess(env);
    const created = await call('/api/sessions', 'POST', {});
    const sessionId = created.body.session.sessionId;
    const hooks = await Promise.all([
      call('/api/webhooks', 'POST', { url: `${receiver.url}/all`, secret: SECRET }),
      call('/api/webhooks', 'POST', { url: `${receiver.url}/status`, events: ['message.status'], sessionId, secret: SECRET }),
    ]);
    assert.deepEqual(hooks.map((h) => h.status), [201, 201]);
    // A slow receiver: the kill lands while both queues are draining.
    receiver.slow(15);
    await call(`/api/sessions/${sessionId}/sandbox/link`, 'POST', { phoneNumber: '15550900001' });
    for (let i = 0; i < MESSAGES; i++) {
      const res = await call('/api/messages/send', 'POST', { sessionId, to: `1555091${String(i + 1).padStart(4, '0')}`, type: 'text', text: `n${i}` });
      assert.equal(res.status, 202);
    }
    await receiver.waitFor((r) => r.accepted.length >= 30, 15_000);
    await server.kill9();

    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const pendingAtCrash = (await db.query(`SELECT count(*)::int AS n FROM webhook_delivery WHERE status = 'PENDING'`)).rows[0].n;
      assert.ok(pendingAtCrash > 0, 'the crash came while deliveries were pending');
      receiver.ok();
      server = await startServerProcess(env);
      await eventually(async () => {
        const { rows } = await db.query(`SELECT id, status FROM webhook_delivery`);
        const arrived = new Set(receiver!.accepted.map((r) => String(r.headers['x-switchboard-delivery'])));
        return rows.every((r) => r.status === 'DELIVERED' && arrived.has(r.id));
      }, 30_000).catch(async (err) => {
        const { rows } = await db.query(`SELECT status, count(*)::int AS n FROM webhook_delivery GROUP BY status`);
        throw new Error(`${err.message}: ${JSON.stringify(rows)}\n${server!.output().slice(-3000)}`);
      });
      const { rows } = await db.query(`SELECT id, webhook_id, order_key, seq, event_id FROM webhook_delivery ORDER BY seq`);
      const byId = new Map(rows.map((r) => [r.id as string, r]));

      const accepted = receiver.accepted;
      const received = new Map<string, number>();
      for (const req of accepted) {
        const id = String(req.headers['x-switchboard-delivery']);
        received.set(id, (received.get(id) ?? 0) + 1);
        assert.ok(byId.has(id), 'only real deliveries arrive');
        assert.equal(req.body.id, byId.get(id)!.event_id);
        assert.ok(verifySignature(SECRET, req.headers, req.rawBody));
      }
      assert.deepEqual([...received.keys()].sort(), [...byId.keys()].sort(), 'every delivery arrived; none was lost');
      // At least once: what was sent but not yet recorded at the kill (per webhook, the requests in
      // flight, one per chat, and as many whose record was being written) is sent again, same event id.
      const duplicates = [...received.values()].filter((n) => n > 1).length;
      assert.ok(duplicates <= 2 * 2 * CHAT_CONCURRENCY, `only deliveries in flight at the kill are repeated (${duplicates})`);
      ctx.diagnostic(`${rows.length} deliveries, ${pendingAtCrash} pending at the kill, ${duplicates} sent twice`);

      // Each chat's events reach each webhook in order of creation (chats go in parallel).
      for (const lane of new Set(rows.map((r) => `${r.webhook_id} ${r.order_key}`))) {
        const seen = new Set<string>();
        const order: number[] = [];
        for (const req of accepted) {
          const row = byId.get(String(req.headers['x-switchboard-delivery']))!;
          if (`${row.webhook_id} ${row.order_key}` !== lane || seen.has(row.id)) continue;
          seen.add(row.id);
          order.push(Number(row.seq));
        }
        assert.deepEqual(order, [...order].sort((a, b) => a - b), `webhook and chat ${lane}: delivered in order of creation`);
      }
    } finally {
      await db.end();
    }
  });
});
