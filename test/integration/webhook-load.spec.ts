import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { WebhooksService } from '../../src/webhooks/webhooks.service';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const EVENTS = 1_000;

const ENV = {
  WEBHOOK_RETRY_BASE_MS: '2',
  WEBHOOK_RETRY_MAX_MS: '50',
  WEBHOOK_POLL_INTERVAL_MS: '20',
  WEBHOOK_TIMEOUT_MS: '2000',
};

/**
 * The small, always-on version of `npm run bench:webhooks`: 1,000 events through one receiver
 * that fails 30 % of requests, delivered by two server instances sharing one PostgreSQL
 * database (one instance on PGlite). Every event arrives, none twice among the successful
 * deliveries, in order of creation.
 */
describe('Webhook delivery under load', () => {
  let first: TestApp;
  let second: TestApp | undefined;
  let receiver: WebhookReceiver;

  before(async () => {
    receiver = await WebhookReceiver.start();
    first = await startTestApp({ env: ENV });
    // A second process on the same database competes for the same queue.
    if (first.database.kind === 'postgres') second = await startTestApp({ env: ENV, database: first.database });
  });
  after(async () => {
    await second?.close();
    await first?.destroy();
    await receiver?.close();
  });

  it(`delivers ${EVENTS} events once each through a receiver failing 30 % of the time`, async (ctx) => {
    const sessionId = (await api(first).post('/api/sessions').send({}).expect(201)).body.session.sessionId;
    await api(first).post('/api/webhooks').send({ url: receiver.url, events: ['message.received'], sessionId }).expect(201);
    receiver.failFraction(0.3, 500);
    const webhooks = first.app.get(WebhooksService);
    const started = Date.now();
    // As the inbound pipeline does: events are written in their producer's transaction (ten per
    // transaction here, like a burst of offline messages).
    for (let n = 0; n < EVENTS; n += 10) {
      await first.dataSource.transaction(async (m) => {
        for (let i = n; i < n + 10; i++) await webhooks.publish({ type: 'message.received', sessionId, data: { n: i } }, m);
      });
    }
    const published = Date.now();
    await receiver.waitFor((r) => r.accepted.length >= EVENTS, 60_000);
    const elapsed = Date.now() - started;

    const accepted = receiver.accepted;
    assert.equal(accepted.length, EVENTS, 'no event was delivered twice');
    assert.deepEqual(accepted.map((r) => r.body.data.n), [...Array(EVENTS).keys()], 'in order of creation');
    assert.ok(accepted.every((r) => r.headers['x-switchboard-event-id'] === r.body.id), 'the event id header matches the body');
    const failures = receiver.requests.length - accepted.length;
    assert.ok(failures > EVENTS * 0.3, `the receiver refused ${failures} requests`);
    // The last attempt is recorded just after the receiver answered it.
    const log = await eventually(async () => {
      const [row] = await first.dataSource.query(
        `SELECT count(*) FILTER (WHERE a.success)::int AS ok, count(DISTINCT a.delivery_id) FILTER (WHERE a.success)::int AS distinct_ok,
                count(*)::int AS total, (SELECT count(*)::int FROM webhook_delivery WHERE status <> 'DELIVERED') AS open
           FROM webhook_delivery_attempt a`,
      );
      return row.open === 0 && row.total === receiver.requests.length ? row : null;
    });
    assert.equal(log.ok, EVENTS, 'the log of successful attempts has each delivery once');
    assert.equal(log.distinct_ok, EVENTS);
    ctx.diagnostic(
      `${EVENTS} events, ${receiver.requests.length} requests (${failures} refused), ${second ? 2 : 1} instance(s): ` +
        `published in ${published - started} ms, all delivered after ${elapsed} ms (${Math.round((EVENTS * 1000) / elapsed)} events/s)`,
    );
  });

  it('sends different chats in parallel, each chat in order, and a failing chat holds back only itself', async () => {
    const CHATS = 8;
    const PER_CHAT = 40;
    const sessionId = (await api(first).post('/api/sessions').send({}).expect(201)).body.session.sessionId;
    const chatReceiver = await WebhookReceiver.start();
    try {
      await api(first).post('/api/webhooks').send({ url: chatReceiver.url, events: ['message.received'], sessionId }).expect(201);
      // Each request takes a little while, so only parallel requests can overlap; chat 0 is refused throughout.
      chatReceiver.slow(5);
      chatReceiver.refuseWhen((body) => body?.data?.message?.chat === 'chat0@s.whatsapp.net');
      const webhooks = first.app.get(WebhooksService);
      for (let n = 0; n < CHATS * PER_CHAT; n += 20) {
        await first.dataSource.transaction(async (m) => {
          for (let i = n; i < n + 20; i++) {
            await webhooks.publish({ type: 'message.received', sessionId, data: { n: i, message: { chat: `chat${i % CHATS}@s.whatsapp.net` } } }, m);
          }
        });
      }
      const chatOf = (r: { body: any }) => r.body.data.message.chat as string;
      await chatReceiver.waitFor((r) => r.accepted.length >= (CHATS - 1) * PER_CHAT, 60_000);
      const accepted = chatReceiver.accepted;
      assert.equal(accepted.length, (CHATS - 1) * PER_CHAT, 'every other chat delivered, none twice');
      assert.ok(accepted.every((r) => chatOf(r) !== 'chat0@s.whatsapp.net'));
      for (let c = 1; c < CHATS; c++) {
        const ns = accepted.filter((r) => chatOf(r) === `chat${c}@s.whatsapp.net`).map((r) => r.body.data.n as number);
        assert.deepEqual(ns, [...ns].sort((a, b) => a - b), `chat ${c} in order of creation`);
      }
      // (This app retries fast and gives up after WEBHOOK_MAX_ATTEMPTS, so chat 0 may move on to its next event.)
      const refused = chatReceiver.requests.filter((r) => chatOf(r) === 'chat0@s.whatsapp.net').map((r) => r.body.data.n as number);
      assert.ok(refused.length > 1, 'the failing chat is retried');
      assert.deepEqual(refused, [...refused].sort((a, b) => a - b), "the failing chat's events wait behind its failing one, never interleaved");
      assert.ok(chatReceiver.maxInFlight > 1, `requests overlapped (at most ${chatReceiver.maxInFlight} at once)`);

      chatReceiver.ok();
      const chat0Failed = async () =>
        Number((await first.dataSource.query(`SELECT count(*)::int AS n FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id WHERE w.url = $1 AND d.status = 'FAILED'`, [chatReceiver.url]))[0].n);
      const settled = await eventually(async () => {
        const failed = await chat0Failed();
        return chatReceiver.accepted.length + failed >= CHATS * PER_CHAT ? failed : null;
      }, 60_000);
      const chat0 = chatReceiver.accepted.filter((r) => chatOf(r) === 'chat0@s.whatsapp.net').map((r) => r.body.data.n as number);
      assert.equal(chat0.length + settled, PER_CHAT, 'each of the held-back chat\'s events was delivered or given up, none twice');
      assert.deepEqual(chat0, [...chat0].sort((a, b) => a - b), 'the held-back chat catches up in order once its receiver accepts');
    } finally {
      await chatReceiver.close();
    }
  });
});
