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
});
