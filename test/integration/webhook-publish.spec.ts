import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from '../support/node-test';
import { AfterCommit } from '../../src/webhooks/after-commit';
import { EventBus } from '../../src/events/event-bus';
import type { DomainEvent } from '../../src/events/domain-events';
import { EventStreamService, type StreamEvent } from '../../src/webhooks/event-stream.service';
import { WebhookFormats } from '../../src/webhooks/formats/webhook-formats';
import type { WebhookFormatter } from '../../src/webhooks/formats/webhook-formatter';
import { WebhooksRepository } from '../../src/webhooks/webhooks.repository';
import { WebhooksService } from '../../src/webhooks/webhooks.service';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { createSession } from '../support/factories';

/**
 * The publishing side against a real database: which subscriptions an event goes to,
 * transaction boundaries (commit, rollback, savepoints) for `publish(event, manager)`, the
 * bus wiring, and a second payload format plugged in through `WebhookFormats`.
 */
describe('Webhook publishing', () => {
  let t: TestApp;
  let webhooks: WebhooksService;
  let receiver: WebhookReceiver;
  let sessionId: string;
  let otherSessionId: string;
  const streamed: StreamEvent[] = [];

  before(async () => {
    receiver = await WebhookReceiver.start();
    receiver.down(503);
    t = await startTestApp({ env: { WEBHOOK_RETRY_BASE_MS: '60000', WEBHOOK_POLL_INTERVAL_MS: '50' } });
    webhooks = t.app.get(WebhooksService);
    t.app.get(EventStreamService).subscribe({ events: null, sessionId: null, workspace: null }, (e) => void streamed.push(e), () => undefined);
    sessionId = await createSession(t);
    otherSessionId = await createSession(t);
  });
  after(async () => {
    await t?.destroy();
    await receiver?.close();
  });

  const hook = async (body: Record<string, unknown>) => (await api(t).post('/api/webhooks').send({ url: receiver.url, ...body }).expect(201)).body.webhook.id as string;
  const rowsOf = (eventId: string) =>
    t.dataSource.query(`SELECT webhook_id, event_id, event_type, session_id, body, status FROM webhook_delivery WHERE event_id = $1 ORDER BY seq`, [eventId]);
  const streamedWith = (marker: string) => eventually(async () => streamed.find((e) => e.json.includes(marker)));
  const outboxWith = async (marker: string): Promise<{ event_id: string; envelope: string }[]> =>
    t.dataSource.query(`SELECT event_id, envelope FROM event_outbox WHERE envelope LIKE $1 ORDER BY seq`, [`%${marker}%`]);

  it('creates one delivery per matching active subscription, all with one event id and body', async () => {
    const global = await hook({});
    const bound = await hook({ sessionId, events: ['contact.opt_in'] });
    await hook({ sessionId: otherSessionId });
    await hook({ sessionId, events: ['message.status'] });
    await hook({ sessionId, active: false });
    await webhooks.publish({ type: 'contact.opt_in', sessionId, data: { jid: '15550000001@s.whatsapp.net', optIn: 'yes' }, at: '2026-11-02T10:00:00.000Z' });
    const [outboxRow] = await outboxWith('15550000001@s.whatsapp.net');
    const eventId = outboxRow.event_id;
    assert.equal((await streamedWith('15550000001@s.whatsapp.net')).id, eventId, 'the live stream carries the same event');
    const rows = await rowsOf(eventId);
    assert.deepEqual(rows.map((r: { webhook_id: string }) => r.webhook_id).sort(), [global, bound].sort());
    assert.equal(new Set(rows.map((r: { body: string }) => r.body)).size, 1, 'every copy has the same bytes');
    const body = rows[0].body as string;
    assert.equal(
      body,
      JSON.stringify({ id: eventId, event: 'contact.opt_in', sessionId, createdAt: '2026-11-02T10:00:00.000Z', data: { jid: '15550000001@s.whatsapp.net', optIn: 'yes' } }),
    );
    assert.ok(rows.every((r: { status: string; session_id: string }) => r.status === 'PENDING' && r.session_id === sessionId));
    assert.equal(outboxRow.envelope, body, 'the outbox holds the same envelope bytes');
    await assert.rejects(webhooks.publish({ type: 'message.sent' as never, sessionId, data: {} }), /Unknown webhook event type/);
  });

  it('writes inside the caller’s transaction: committed together, rolled back together', async () => {
    await hook({ sessionId, events: ['message.received'] });
    const before = streamed.filter((e) => e.event === 'message.received').length;
    const received = () => streamed.filter((e) => e.event === 'message.received');
    let eventId = '';
    await t.dataSource.transaction(async (m) => {
      await m.query(`INSERT INTO setting (key, value) VALUES ('webhook-test-commit', 'x')`);
      await webhooks.publish({ type: 'message.received', sessionId, data: { text: 'committed' } }, m);
      const inside = await m.query(`SELECT event_id FROM webhook_delivery WHERE body LIKE '%committed%'`);
      eventId = inside[0].event_id;
      assert.equal((await m.query(`SELECT 1 FROM event_outbox WHERE event_id = $1`, [eventId])).length, 1);
      // Other connections do not see the rows (embedded PGlite has one connection, taken by this
      // transaction), and the live stream has not heard of the event yet.
      if (t.database.kind === 'postgres') {
        assert.equal((await t.dataSource.query(`SELECT 1 FROM webhook_delivery WHERE event_id = $1`, [eventId])).length, 0);
        assert.equal((await t.dataSource.query(`SELECT 1 FROM event_outbox WHERE event_id = $1`, [eventId])).length, 0);
      }
      assert.equal(received().length, before);
    });
    assert.equal((await rowsOf(eventId)).length, 2, 'the global webhook and the message.received one');
    await eventually(async () => received().length === before + 1);
    assert.equal(received().at(-1)!.id, eventId);

    await assert.rejects(
      t.dataSource.transaction(async (m) => {
        await m.query(`INSERT INTO setting (key, value) VALUES ('webhook-test-rollback', 'x')`);
        await webhooks.publish({ type: 'message.received', sessionId, data: { text: 'rolled-back' } }, m);
        throw new Error('the inbound write failed');
      }),
      /inbound write failed/,
    );
    assert.equal((await t.dataSource.query(`SELECT 1 FROM webhook_delivery WHERE body LIKE '%rolled-back%'`)).length, 0);
    assert.equal((await outboxWith('rolled-back')).length, 0);
    assert.equal((await t.dataSource.query(`SELECT 1 FROM setting WHERE key = 'webhook-test-rollback'`)).length, 0);
    // A later event gets through, and the rolled-back one never did.
    await webhooks.publish({ type: 'message.received', sessionId, data: { text: 'after-rollback' } });
    await streamedWith('after-rollback');
    assert.equal(received().length, before + 2, 'a rolled-back event never reaches the stream');
    assert.ok(!streamed.some((e) => e.json.includes('rolled-back')));
  });

  it('drops what a rolled-back savepoint published and keeps the rest', async () => {
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    const received = () => streamed.filter((e) => e.event === 'message.received');
    const before = received().length;
    try {
      await runner.startTransaction();
      await webhooks.publish({ type: 'message.received', sessionId, data: { text: 'outer' } }, runner.manager);
      await runner.startTransaction();
      await webhooks.publish({ type: 'message.received', sessionId, data: { text: 'inner' } }, runner.manager);
      await runner.rollbackTransaction();
      assert.equal(received().length, before);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    await streamedWith('"outer"');
    assert.deepEqual(received().slice(before).map((e) => JSON.parse(e.json).data.text), ['outer']);
    assert.equal((await t.dataSource.query(`SELECT 1 FROM webhook_delivery WHERE body LIKE '%"inner"%'`)).length, 0);
    assert.equal((await outboxWith('"inner"')).length, 0);
    assert.ok((await t.dataSource.query(`SELECT 1 FROM webhook_delivery WHERE body LIKE '%"outer"%'`)).length > 0);
  });

  it('runs after the outer commit what a released savepoint registered, even when a later savepoint rolls back', async () => {
    const afterCommit = t.app.get(AfterCommit);
    const ran: string[] = [];
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.startTransaction();
      afterCommit.run(runner.manager, () => ran.push('released savepoint'));
      await runner.commitTransaction();
      await runner.startTransaction();
      afterCommit.run(runner.manager, () => ran.push('rolled-back savepoint'));
      await runner.rollbackTransaction();
      afterCommit.run(runner.manager, () => ran.push('outer'));
      assert.equal(ran.length, 0, 'nothing runs before the outer commit');
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    assert.deepEqual([...ran], ['released savepoint', 'outer']);
    afterCommit.run(undefined, () => ran.push('no transaction'));
    assert.equal(ran.at(-1), 'no transaction', 'without a transaction it runs at once');
  });

  it('records nothing from the in-process bus: every event comes from its producer through the outbox', async () => {
    const bus = t.app.get(EventBus);
    const at = new Date().toISOString();
    const outboxCount = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM event_outbox`))[0].n as number;
    const before = await outboxCount();
    bus.emit({ type: 'message.received', sessionId, data: { text: 'from the bus' }, at } as DomainEvent);
    bus.emit({ type: 'call.received', sessionId, data: { from: '15550000002@s.whatsapp.net', isVideo: false }, at } as DomainEvent);
    bus.emit({ type: 'contact.opt_in', sessionId, data: { n: 'bus' }, at } as DomainEvent);
    bus.emit({ type: 'session.pairing_code', sessionId, code: 'ABCD1234', at } as DomainEvent);
    // A marker published after the bus events: once it is streamed, anything recorded from the bus would be too.
    await webhooks.publish({ type: 'contact.opt_in', sessionId, data: { marker: 'after-bus' } });
    await streamedWith('after-bus');
    assert.equal(await outboxCount(), before + 1);
    assert.equal((await t.dataSource.query(`SELECT 1 FROM webhook_delivery WHERE body LIKE '%ABCD1234%' OR body LIKE '%from the bus%'`)).length, 0);

    // A burst of events of one session keeps its order.
    const burstHook = await hook({ sessionId: otherSessionId, events: ['contact.opt_in'] });
    for (let n = 0; n < 50; n++) await webhooks.publish({ type: 'contact.opt_in', sessionId: otherSessionId, data: { n }, at });
    const rows = await t.dataSource.query(`SELECT body FROM webhook_delivery WHERE webhook_id = $1 ORDER BY seq`, [burstHook]);
    assert.deepEqual(rows.map((r: { body: string }) => JSON.parse(r.body).data.n), [...Array(50).keys()]);
  });

  it('lets another payload format plug in through WebhookFormats', async () => {
    const cloud = await WebhookReceiver.start();
    try {
      const formatter: WebhookFormatter = {
        name: 'meta-like',
        events: ['message.status'],
        async setup(input) {
          if (!input.verifyToken) throw new Error('verifyToken required');
          return { verifyToken: input.verifyToken };
        },
        format(envelope, sub) {
          // One item per request, as Meta's format does.
          return [1, 2].map((part) => ({ body: JSON.stringify({ object: 'whatsapp_business_account', part, id: envelope.id, token: sub.options.verifyToken }) }));
        },
        headers({ body, secret }) {
          return { 'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` };
        },
      };
      t.app.get(WebhookFormats).register(formatter);
      const created = await api(t)
        .post('/api/webhooks')
        .send({ url: cloud.url, sessionId, format: 'meta-like', verifyToken: 'vt-1', secret: 'meta-app-secret-0123456789' })
        .expect(201);
      assert.equal(created.body.webhook.format, 'meta-like');
      const refused = await api(t).post('/api/webhooks').send({ url: cloud.url, sessionId, format: 'meta-like', events: ['session.qr'], verifyToken: 'x' }).expect(400);
      assert.match(refused.body.error.message, /cannot carry: session\.qr/);

      await webhooks.publish({ type: 'session.qr', sessionId, data: { qr: 'x' } });
      await webhooks.publish({ type: 'message.status', sessionId, data: { status: 'READ' } });
      await cloud.waitFor((r) => r.accepted.length === 2);
      assert.deepEqual(cloud.accepted.map((r) => [r.body.part, r.body.token]), [[1, 'vt-1'], [2, 'vt-1']]);
      for (const r of cloud.accepted) {
        const expected = `sha256=${createHmac('sha256', 'meta-app-secret-0123456789').update(r.rawBody).digest('hex')}`;
        assert.equal(r.headers['x-hub-signature-256'], expected);
        assert.equal(r.headers['content-type'], 'application/json');
      }
    } finally {
      await cloud.close();
    }
  });
  it('prunes finished deliveries older than the retention, never pending ones', async () => {
    const id = await hook({ sessionId, events: ['contact.opt_in'] });
    for (const n of [1, 2, 3]) {
      await webhooks.publish({ type: 'contact.opt_in', sessionId, data: { jid: `1555000010${n}@s.whatsapp.net`, optIn: 'yes', n }, at: '2026-11-02T10:00:00.000Z' });
    }
    const rows: { id: string }[] = await t.dataSource.query(`SELECT id FROM webhook_delivery WHERE webhook_id = $1 ORDER BY seq`, [id]);
    assert.equal(rows.length, 3);
    // One delivered long ago, one failed long ago, one still pending (also old).
    await t.dataSource.query(`UPDATE webhook_delivery SET status = 'DELIVERED', updated_at = now() - interval '40 days' WHERE id = $1`, [rows[0].id]);
    await t.dataSource.query(`UPDATE webhook_delivery SET status = 'FAILED', updated_at = now() - interval '40 days' WHERE id = $1`, [rows[1].id]);
    await t.dataSource.query(`UPDATE webhook_delivery SET updated_at = now() - interval '40 days' WHERE id = $1`, [rows[2].id]);
    const removed = await t.app.get(WebhooksRepository).pruneFinished(30);
    assert.ok(removed >= 2);
    const left: { id: string; status: string }[] = await t.dataSource.query(`SELECT id, status FROM webhook_delivery WHERE webhook_id = $1`, [id]);
    assert.deepEqual(left, [{ id: rows[2].id, status: 'PENDING' }]);
  });
});
