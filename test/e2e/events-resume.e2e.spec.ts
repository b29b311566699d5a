import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { WebhooksService } from '../../src/webhooks/webhooks.service';
import { api } from '../support/http';
import { SseClient } from '../support/sse-client';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { testDatabaseKinds } from '../support/test-database';
import { createSession, createToken } from '../support/factories';

/**
 * GET /api/events is read from the event outbox: a client that reconnects with the last id it
 * received (Last-Event-ID, or ?lastEventId=) gets exactly what it missed, in order, then the
 * live events, with no gap or duplicate at the seam; and a stream on one server process sees
 * the events committed by another process on the same database.
 */
for (const kind of testDatabaseKinds()) {
  describe(`Event stream resume (${kind})`, () => {
    let t: TestApp;
    const clients: SseClient[] = [];

    before(async () => {
      const { createTestDatabase } = await import('../support/test-database');
      t = await startTestApp({ database: await createTestDatabase(kind) });
    });
    after(async () => {
      clients.forEach((c) => c.close());
      await t?.destroy();
    });

    const open = async (query: string, headers: Record<string, string> = {}, token = TEST_API_KEY) => {
      const c = await SseClient.open(`${t.url}/api/events${query}`, token, headers);
      clients.push(c);
      return c;
    };
    const newSession = async () => (await createSession(t));
    const publish = (sessionId: string, n: number | string) => t.app.get(WebhooksService).publish({ type: 'contact.opt_in', sessionId, data: { n } });
    const numbers = (c: SseClient) => c.events.map((e) => e.json.data.n);

    it('replays exactly the missed events after Last-Event-ID, in order, then continues live', async () => {
      const mine = await newSession();
      const other = await newSession();
      const query = `?events=contact.opt_in&sessionId=${mine}`;
      const first = await open(query);
      for (const n of [1, 2, 3]) await publish(mine, n);
      await first.waitFor((c) => c.events.length === 3);
      assert.deepEqual(numbers(first), [1, 2, 3]);
      assert.ok(first.events.every((e) => /^\d+$/.test(e.id!)), 'ids are outbox positions');
      const lastId = first.events[2].id!;
      first.close();

      // Missed while disconnected, mixed with events the filter leaves out.
      for (const n of [4, 5, 6]) {
        await publish(mine, n);
        await publish(other, -n);
        await t.app.get(WebhooksService).publish({ type: 'call.received', sessionId: mine, data: { n: -n } });
      }
      const resumed = await open(query, { 'Last-Event-ID': lastId });
      await resumed.waitFor((c) => c.events.length >= 3);
      await publish(mine, 7);
      await resumed.waitFor((c) => c.events.length >= 4);
      assert.deepEqual(numbers(resumed), [4, 5, 6, 7]);
      assert.deepEqual(
        resumed.events.map((e) => e.json.id),
        [...new Set(resumed.events.map((e) => e.json.id))],
        'no event twice',
      );

      // Reconnecting while events are being published: nothing lost or doubled at the seam.
      const from = resumed.events[1].id!; // after 5
      resumed.close();
      const burst = (async () => {
        for (let n = 8; n <= 40; n++) await publish(mine, n);
      })();
      const again = await open(`${query}&lastEventId=${from}`);
      await burst;
      await again.waitFor((c) => c.events.length >= 35);
      assert.deepEqual(numbers(again), [6, 7, ...Array.from({ length: 33 }, (_, i) => i + 8)]);
    });

    it('replays within the token’s scope', async () => {
      const mine = await newSession();
      const other = await newSession();
      const token = await createToken(t, { name: 'resume', sessionId: mine });
      const first = await open('?events=contact.opt_in', {}, token);
      await publish(mine, 'a');
      await first.waitFor((c) => c.events.length === 1);
      const lastId = first.events[0].id!;
      first.close();
      await publish(other, 'hidden');
      await publish(mine, 'b');
      const resumed = await open('', { 'Last-Event-ID': lastId }, token);
      await resumed.waitFor((c) => c.events.length >= 1);
      await publish(mine, 'c');
      await resumed.waitFor((c) => c.events.length >= 2);
      assert.deepEqual(numbers(resumed), ['b', 'c']);
    });

    it('an id no longer retained starts with stream.reset and every retained event; a malformed one is a 400', async () => {
      const sessionId = await newSession();
      await publish(sessionId, 'r1');
      await publish(sessionId, 'r2');
      const c = await open(`?events=contact.opt_in&sessionId=${sessionId}`, { 'Last-Event-ID': '999999999999' });
      await c.waitFor((x) => x.events.length >= 3);
      assert.equal(c.events[0].event, 'stream.reset');
      assert.deepEqual(c.events[0].json, { code: 'EVENT_ID_UNKNOWN', lastEventId: '999999999999' });
      assert.deepEqual(c.events.slice(1).map((e) => e.json.data.n), ['r1', 'r2']);

      const legacy = await open(`?events=contact.opt_in&sessionId=${sessionId}`, { 'Last-Event-ID': 'evt_6a0f3c1e-7d7b-4f4e-9a59-2b0d7c4f1e21' });
      await legacy.waitFor((x) => x.events.length >= 3);
      assert.equal(legacy.events[0].event, 'stream.reset');

      const bad = await fetch(`${t.url}/api/events?lastEventId=abc`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as any).error.code, 'VALIDATION_FAILED');
    });
  });
}

/** Two server processes on one database (PostgreSQL: an embedded database has one process). */
describe('Event stream across server instances', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let a: TestApp;
  let b: TestApp;
  const clients: SseClient[] = [];

  before(async () => {
    a = await startTestApp({ env: { EVENTS_POLL_INTERVAL_MS: '100' } });
    b = await startTestApp({ database: a.database, env: { EVENTS_POLL_INTERVAL_MS: '100' } });
  });
  after(async () => {
    clients.forEach((c) => c.close());
    await b?.close();
    await a?.destroy();
  });

  it('a stream on instance B carries every event committed on instance A, in order, and resumes there', async () => {
    const sessionId = (await api(a).post('/api/sessions').send({}).expect(201)).body.session.sessionId as string;
    const onB = await SseClient.open(`${b.url}/api/events?events=contact.opt_in&sessionId=${sessionId}`);
    clients.push(onB);
    for (let n = 1; n <= 20; n++) await a.app.get(WebhooksService).publish({ type: 'contact.opt_in', sessionId, data: { n } });
    await onB.waitFor((c) => c.events.length >= 20);
    assert.deepEqual(onB.events.map((e) => e.json.data.n), Array.from({ length: 20 }, (_, i) => i + 1));

    // Resuming on A from an id streamed by B.
    const lastId = onB.events[9].id!;
    const onA = await SseClient.open(`${a.url}/api/events?events=contact.opt_in&sessionId=${sessionId}`, TEST_API_KEY, { 'Last-Event-ID': lastId });
    clients.push(onA);
    await onA.waitFor((c) => c.events.length >= 10);
    assert.deepEqual(onA.events.map((e) => e.json.data.n), Array.from({ length: 10 }, (_, i) => i + 11));
  });

  it('never skips an event whose transaction commits after a later one', async () => {
    const sessionId = (await api(a).post('/api/sessions').send({}).expect(201)).body.session.sessionId as string;
    const webhooks = a.app.get(WebhooksService);
    const stream = await SseClient.open(`${b.url}/api/events?events=contact.opt_in&sessionId=${sessionId}`);
    clients.push(stream);
    await webhooks.publish({ type: 'contact.opt_in', sessionId, data: { n: 'before' } });
    await stream.waitFor((c) => c.events.length === 1);
    const runner = a.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // Takes the earlier outbox seq, but commits last.
      await webhooks.publish({ type: 'contact.opt_in', sessionId, data: { n: 'slow' } }, runner.manager);
      await webhooks.publish({ type: 'contact.opt_in', sessionId, data: { n: 'fast' } });
      const [slow] = await runner.query(`SELECT seq FROM event_outbox WHERE envelope LIKE '%"slow"%'`);
      const [fast] = await a.dataSource.query(`SELECT seq FROM event_outbox WHERE envelope LIKE '%"fast"%'`);
      assert.ok(Number(slow.seq) < Number(fast.seq));
      // Let both readers poll while the slow transaction is open.
      await new Promise((r) => setTimeout(r, 300));
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    await stream.waitFor((c) => c.events.length >= 3);
    assert.deepEqual(stream.events.map((e) => e.json.data.n), ['before', 'slow', 'fast']);
    const resumed = await SseClient.open(`${a.url}/api/events?events=contact.opt_in&sessionId=${sessionId}`, TEST_API_KEY, { 'Last-Event-ID': stream.events[0].id! });
    clients.push(resumed);
    await resumed.waitFor((c) => c.events.length >= 2);
    assert.deepEqual(resumed.events.map((e) => e.json.data.n), ['slow', 'fast']);
  });
});
