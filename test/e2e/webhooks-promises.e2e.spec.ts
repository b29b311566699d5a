import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebhooksService } from '../../src/webhooks/webhooks.service';
import { linkedSandboxSession } from '../support/cloud-api';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { FAST_WEBHOOK_ENV, WebhookReceiver } from '../support/webhook-receiver';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two delivery promises of the README proven over real HTTP: redirects are failed attempts
 * (never followed) that are retried with the same event id, and a deactivated webhook's
 * pending deliveries wait and then all arrive, once each and in order, when it is reactivated.
 */
describe('Webhook delivery promises (redirects, reactivation)', () => {
  let t: TestApp;
  const receivers: WebhookReceiver[] = [];

  before(async () => {
    t = await startTestApp({ env: FAST_WEBHOOK_ENV });
  });
  after(async () => {
    await t?.destroy();
    await Promise.all(receivers.map((r) => r.close()));
  });

  async function receiver(): Promise<WebhookReceiver> {
    const r = await WebhookReceiver.start();
    receivers.push(r);
    return r;
  }

  const linkedSession = async (phone: string): Promise<string> => (await linkedSandboxSession(t, phone)).id;

  const createWebhook = async (body: Record<string, unknown>) => (await api(t).post('/api/webhooks').send(body).expect(201)).body.webhook;
  const publish = (sessionId: string, data: Record<string, unknown>) => t.app.get(WebhooksService).publish({ type: 'contact.opt_in', sessionId, data });
  const health = async (webhookId: string) => (await api(t).get(`/api/webhooks/${webhookId}`).expect(200)).body.webhook.health;
  const deliveries = async (webhookId: string) =>
    (await api(t).get(`/api/webhooks/${webhookId}/deliveries?limit=500`).expect(200)).body.deliveries as any[];

  it('counts a redirect as a failed attempt, retries it later with the same event id, and never follows it', async () => {
    const target = await receiver();
    const redirects = [301, 302, 303, 307, 308];
    const redirector = await receiver();
    redirector.redirectTo(`${target.url}/moved-here`);
    redirector.answerNext(redirects);
    const sessionId = await linkedSession('15550710010');
    const w = await createWebhook({ url: `${redirector.url}/hook`, events: ['contact.opt_in'], sessionId });
    await publish(sessionId, { n: 'redirected' });

    const row = await eventually(async () => (await deliveries(w.id)).find((d) => d.status === 'DELIVERED'), 5_000).catch((err) => {
      throw new Error(`${err.message}; the redirector answered ${JSON.stringify(redirector.requests.map((q) => q.answer))}, the Location target got ${target.requests.length} request(s)`);
    });
    // Whatever a follower would have sent to Location would have landed by now.
    await sleep(200);
    assert.equal(target.requests.length, 0, `the Location target got ${JSON.stringify(target.requests.map((q) => [q.method, q.path]))}`);

    // Every redirect was one attempt at the original URL, then a retry: 5 redirects, then the 200.
    assert.deepEqual(redirector.requests.map((q) => q.answer), [...redirects, 200]);
    assert.ok(redirector.requests.every((q) => q.method === 'POST'));
    const first = redirector.requests[0];
    for (const q of redirector.requests) {
      assert.equal(q.headers['x-switchboard-event-id'], first.headers['x-switchboard-event-id'], 'the same event id on every retry');
      assert.equal(q.headers['x-switchboard-delivery'], row.id);
      assert.deepEqual(q.rawBody, first.rawBody, 'the same bytes on every retry');
    }
    assert.equal(first.headers['x-switchboard-event-id'], row.eventId);
    // Retried later (with backoff), not at once: the first retry waits at least 80 % of the 30 ms base.
    for (let i = 1; i < redirector.requests.length; i++) {
      const gap = redirector.requests[i].receivedAt - redirector.requests[i - 1].receivedAt;
      assert.ok(gap >= 20, `retry ${i} came ${gap} ms after the previous attempt`);
    }

    // The log has each redirect as a failed attempt with its status.
    const detail = (await api(t).get(`/api/webhooks/${w.id}/deliveries/${row.id}`).expect(200)).body.delivery;
    assert.equal(detail.attemptCount, redirects.length + 1);
    assert.deepEqual(
      detail.attempts.map((a: any) => [a.statusCode, a.success, a.error]),
      [...redirects.map((s) => [s, false, `HTTP ${s}`]), [200, true, null]],
    );
    assert.deepEqual(detail.attempts.map((a: any) => a.responseBody), [...redirects.map((s) => `failing on purpose (${s})`), 'ok']);
    const h = await health(w.id);
    assert.deepEqual([h.pending, h.failed, h.consecutiveFailures, h.lastError], [0, 0, 0, 'HTTP 308']);
    assert.ok(h.lastFailureAt && h.lastSuccessAt);
  });

  it('holds the pending deliveries of a deactivated webhook and delivers each once, in order, when reactivated', async () => {
    const r = await receiver();
    const sessionId = await linkedSession('15550710020');
    const w = await createWebhook({ url: r.url, events: ['contact.opt_in'], sessionId });
    r.down(503);
    for (let n = 0; n < 10; n++) await publish(sessionId, { n });
    // The head is being retried (the other nine wait behind it). After five failures in a row its
    // backoff is at the 200 ms cap (at least 160 ms with jitter), so the PATCH below lands while
    // the worker that holds the webhook waits to retry it.
    await r.waitFor((x) => x.requests.length >= 5);
    await eventually(async () => (await health(w.id)).consecutiveFailures >= 5);

    const paused = (await api(t).patch(`/api/webhooks/${w.id}`).send({ active: false }).expect(200)).body.webhook;
    assert.equal(paused.active, false);
    assert.equal(paused.health.pending, 10);
    const triedAtPause = r.requests.length;
    // The receiver is back at once, but the webhook is paused: over many retry periods nothing goes out.
    r.ok();
    // While inactive a webhook gets no new deliveries (documented on `active`): this one is not queued.
    await publish(sessionId, { n: 'while-inactive' });
    await sleep(1_000);
    assert.equal(r.accepted.length, 0, `delivered while inactive: ${JSON.stringify(r.accepted.map((q) => q.body.data.n))}`);
    assert.ok(r.requests.length <= triedAtPause + 1, `${r.requests.length - triedAtPause} attempts while inactive`);
    const held = await health(w.id);
    assert.deepEqual([held.pending, held.failed], [10, 0]);
    assert.ok((await deliveries(w.id)).every((d) => d.status === 'PENDING'));

    const resumed = (await api(t).patch(`/api/webhooks/${w.id}`).send({ active: true }).expect(200)).body.webhook;
    assert.equal(resumed.active, true);
    await r.waitFor((x) => x.accepted.length >= 10, 5_000);
    // Room for a duplicate or a late extra to show up.
    await sleep(300);
    assert.deepEqual(r.accepted.map((q) => q.body.data.n), [...Array(10).keys()], 'every pending delivery, once, in order of creation');
    assert.equal(new Set(r.accepted.map((q) => q.body.id)).size, 10, 'ten distinct events');
    assert.ok(!r.requests.some((q) => q.body.data.n === 'while-inactive'));
    const rows = await deliveries(w.id);
    assert.equal(rows.length, 10);
    assert.ok(rows.every((d) => d.status === 'DELIVERED'));
    assert.deepEqual(
      new Set(r.accepted.map((q) => String(q.headers['x-switchboard-delivery']))),
      new Set(rows.map((d) => d.id)),
      'the arrivals are exactly the queued deliveries',
    );
    const done = await eventually(async () => {
      const current = await health(w.id);
      return current.pending === 0 ? current : null;
    });
    assert.deepEqual([done.pending, done.failed, done.consecutiveFailures], [0, 0, 0]);
  });

  it('pauses a webhook in the middle of draining its backlog and resumes where it stopped', async () => {
    const r = await receiver();
    const sessionId = await linkedSession('15550710030');
    const w = await createWebhook({ url: r.url, events: ['contact.opt_in'], sessionId });
    r.slow(40);
    r.down(503);
    for (let n = 0; n < 20; n++) await publish(sessionId, { n });
    await r.waitFor((x) => x.requests.length >= 1);
    // The receiver recovers and the backlog drains, one request at a time.
    r.ok();
    r.slow(40);
    await r.waitFor((x) => x.accepted.length >= 3);

    await api(t).patch(`/api/webhooks/${w.id}`).send({ active: false }).expect(200);
    const atPause = r.requests.length;
    await sleep(800);
    // Attempts are recorded while the next request is in flight, so the worker sees the pause
    // at its next write: the request in flight and at most the one after it still arrive.
    const extra = r.requests.length - atPause;
    assert.ok(extra <= 2, `${extra} more requests after the webhook was deactivated`);
    const delivered = r.accepted.length;
    assert.ok(delivered < 20, 'the backlog was still draining when it was paused');
    const held = await eventually(async () => {
      const current = await health(w.id);
      return current.pending === 20 - delivered ? current : null;
    }, 2_000);
    assert.equal(held.failed, 0);

    await api(t).patch(`/api/webhooks/${w.id}`).send({ active: true }).expect(200);
    await r.waitFor((x) => x.accepted.length >= 20, 5_000);
    await sleep(200);
    assert.deepEqual(r.accepted.map((q) => q.body.data.n), [...Array(20).keys()], 'every delivery, once, in order of creation');
    const done = await eventually(async () => {
      const current = await health(w.id);
      return current.pending === 0 ? current : null;
    });
    assert.deepEqual([done.pending, done.failed], [0, 0]);
  });
});
