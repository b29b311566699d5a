import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { WebhooksService } from '../../src/webhooks/webhooks.service';
import { linkedSandboxSession } from '../support/cloud-api';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { FAST_WEBHOOK_ENV, verifySignature, WebhookReceiver, type Failure } from '../support/webhook-receiver';
import { holds } from '../support/wait';
import { createToken, createWebhook as createWebhookFor } from '../support/factories';


const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = 'test-webhook-secret-0123456789';

/**
 * Webhooks over real HTTP: the API (CRUD, validation, token scoping, the device-token gateway's route), and delivery
 * to local receivers (signature, envelope, retries in order, isolation of a slow receiver,
 * the delivery log and redelivery).
 */
describe('Webhooks API and delivery (sandbox engine)', () => {
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

  const createWebhook = (body: { url: string; [k: string]: unknown }) => createWebhookFor(t, body);
  const publish = (sessionId: string, data: Record<string, unknown>, type: 'call.received' | 'contact.opt_in' = 'contact.opt_in') =>
    t.app.get(WebhooksService).publish({ type, sessionId, data });
  const deliveries = async (webhookId: string, query = '') =>
    (await api(t).get(`/api/webhooks/${webhookId}/deliveries${query}`).expect(200)).body.deliveries as any[];
  const healthOf = async (webhookId: string) => (await api(t).get(`/api/webhooks/${webhookId}`).expect(200)).body.webhook.health;

  it('creates, lists, reads, updates and deletes webhooks', async () => {
    const created = await api(t).post('/api/webhooks').send({ url: 'http://127.0.0.1:9/hook', description: 'CRM' }).expect(201);
    assert.equal(created.body.success, true);
    const w = created.body.webhook;
    assert.match(w.id, UUID);
    assert.deepEqual(
      { url: w.url, events: w.events, sessionId: w.sessionId, format: w.format, active: w.active, origin: w.origin, description: w.description },
      { url: 'http://127.0.0.1:9/hook', events: ['*'], sessionId: null, format: 'native', active: true, origin: 'api', description: 'CRM' },
    );
    assert.match(w.secret, /^whsec_[\w-]{32}$/);
    assert.ok(!Number.isNaN(Date.parse(w.createdAt)));

    // The phones manager's `services` means the same as `events`.
    const phonesManagerHook = await createWebhook({ url: 'https://crm.example.com/wa', services: ['message.received'], secret: SECRET });
    assert.deepEqual(phonesManagerHook.events, ['message.received']);
    assert.equal(phonesManagerHook.secret, SECRET);

    const list = (await api(t).get('/api/webhooks').expect(200)).body.webhooks;
    const ids = list.map((x: { id: string }) => x.id);
    assert.ok(ids.includes(w.id) && ids.includes(phonesManagerHook.id));
    assert.ok(list.every((x: Record<string, unknown>) => !('secret' in x)), 'the secret is shown only at creation');

    const one = (await api(t).get(`/api/webhooks/${w.id}`).expect(200)).body.webhook;
    assert.equal(one.secret, undefined);
    assert.deepEqual(one.health, { pending: 0, failed: 0, lastSuccessAt: null, lastFailureAt: null, consecutiveFailures: 0, lastError: null });

    const patched = (await api(t).patch(`/api/webhooks/${w.id}`).send({ events: ['message.status', 'session.status'], active: false, description: null }).expect(200)).body.webhook;
    assert.deepEqual([patched.events, patched.active, patched.description], [['message.status', 'session.status'], false, null]);

    await api(t).delete(`/api/webhooks/${w.id}`).expect(200);
    const gone = await api(t).get(`/api/webhooks/${w.id}`).expect(404);
    assert.equal(gone.body.error.code, 'WEBHOOK_NOT_FOUND');
    await api(t).get('/api/webhooks/not-a-webhook').expect(404);
    await api(t).delete(`/api/webhooks/${phonesManagerHook.id}`).expect(200);
  });

  it('validates input and needs a credential', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'url'],
      [{ url: 'ftp://example.com/x' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'http://user:pw@example.com/x' }, 'url'],
      [{ url: 'http://example.com', events: ['message.sent'] }, 'events'],
      [{ url: 'http://example.com', events: [] }, 'events'],
      [{ url: 'http://example.com', secret: 'short' }, 'secret'],
      [{ url: 'http://example.com', format: 'xml' }, 'format'],
      [{ url: 'http://example.com', verifyToken: 'abc' }, 'verifyToken'],
      [{ url: 'http://example.com', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await api(t).post('/api/webhooks').send(body).expect(400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED', JSON.stringify(body));
      assert.ok(JSON.stringify(res.body.error).includes(field), `${JSON.stringify(body)} → ${JSON.stringify(res.body.error)}`);
    }
    const unknownSession = await api(t).post('/api/webhooks').send({ url: 'http://example.com', sessionId: 'nope' }).expect(404);
    assert.equal(unknownSession.body.error.code, 'SESSION_NOT_FOUND');
    const w = await createWebhook({ url: 'http://example.com/a' });
    await api(t).patch(`/api/webhooks/${w.id}`).send({ format: 'native' }).expect(400);
    await api(t).patch(`/api/webhooks/${w.id}`).send({ url: 'mailto:x@example.com' }).expect(400);
    await api(t, null).get('/api/webhooks').expect(401);
    await api(t, null).post('/api/webhooks').send({ url: 'http://example.com' }).expect(401);
    await api(t).delete(`/api/webhooks/${w.id}`).expect(200);
  });

  it('limits a session-bound token to its own session’s webhooks', async () => {
    const mine = await linkedSession('15550700001');
    const other = await linkedSession('15550700002');
    const token = await createToken(t, { name: 'bound', sessionId: mine });
    const global = await createWebhook({ url: 'http://example.com/global' });
    const others = await createWebhook({ url: 'http://example.com/other', sessionId: other });

    const noSession = await api(t, token).post('/api/webhooks').send({ url: 'http://example.com/x' }).expect(403);
    assert.equal(noSession.body.error.code, 'FORBIDDEN');
    await api(t, token).post('/api/webhooks').send({ url: 'http://example.com/x', sessionId: other }).expect(403);
    const own = (await api(t, token).post('/api/webhooks').send({ url: 'http://example.com/mine', sessionId: '+1 555-070-0001' }).expect(201)).body.webhook;
    assert.equal(own.sessionId, mine, 'the session is named by number and stored by id');

    const listed = (await api(t, token).get('/api/webhooks').expect(200)).body.webhooks;
    assert.deepEqual(listed.map((x: { id: string }) => x.id), [own.id]);
    for (const id of [global.id, others.id]) {
      await api(t, token).get(`/api/webhooks/${id}`).expect(403);
      await api(t, token).patch(`/api/webhooks/${id}`).send({ active: false }).expect(403);
      await api(t, token).delete(`/api/webhooks/${id}`).expect(403);
      await api(t, token).get(`/api/webhooks/${id}/deliveries`).expect(403);
    }
    await api(t, token).patch(`/api/webhooks/${own.id}`).send({ sessionId: null }).expect(403);
    await api(t, token).patch(`/api/webhooks/${own.id}`).send({ sessionId: other }).expect(403);
    await api(t, token).patch(`/api/webhooks/${own.id}`).send({ active: false }).expect(200);
    await api(t, token).post('/api/webhook').send({ token: other, url: 'http://example.com/d' }).expect(403);
    await api(t, token).delete(`/api/webhooks/${own.id}`).expect(200);
    for (const id of [global.id, others.id]) await api(t).delete(`/api/webhooks/${id}`).expect(200);
  });

  it('limits a workspace-bound token to its workspace’s sessions', async () => {
    const inside = (await api(t).post('/api/sessions').send({ workspace: 'Marketing' }).expect(201)).body.session.sessionId;
    const outside = (await api(t).post('/api/sessions').send({ workspace: 'Support' }).expect(201)).body.session.sessionId;
    const token = await createToken(t, { name: 'marketing', workspace: 'Marketing' });
    await api(t, token).post('/api/webhooks').send({ url: 'http://example.com/x' }).expect(403);
    await api(t, token).post('/api/webhooks').send({ url: 'http://example.com/x', sessionId: outside }).expect(403);
    const own = (await api(t, token).post('/api/webhooks').send({ url: 'http://example.com/m', sessionId: inside }).expect(201)).body.webhook;
    const foreign = await createWebhook({ url: 'http://example.com/s', sessionId: outside });
    assert.deepEqual((await api(t, token).get('/api/webhooks').expect(200)).body.webhooks.map((x: { id: string }) => x.id), [own.id]);
    await api(t, token).get(`/api/webhooks/${foreign.id}`).expect(403);
    await api(t, token).get(`/api/webhooks/${own.id}`).expect(200);
    for (const id of [own.id, foreign.id]) await api(t).delete(`/api/webhooks/${id}`).expect(200);
  });

  it('delivers session.status to the receiver, signed, in the documented envelope', async () => {
    const r = await receiver();
    const w = await createWebhook({ url: `${r.url}/hooks?src=sb`, events: ['session.status'], secret: SECRET });
    const sessionId = await linkedSession('15550700010');
    await r.waitFor((x) => x.accepted.some((q) => q.body?.sessionId === sessionId && q.body?.data?.status === 'READY'));
    const req = r.accepted.find((q) => q.body.sessionId === sessionId && q.body.data.status === 'READY')!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/hooks?src=sb');
    assert.deepEqual(Object.keys(req.body), ['id', 'event', 'sessionId', 'createdAt', 'data']);
    assert.match(req.body.id, /^evt_[0-9a-f-]{36}$/);
    assert.equal(req.body.event, 'session.status');
    assert.ok(!Number.isNaN(Date.parse(req.body.createdAt)));
    assert.deepEqual(Object.keys(req.body.data), ['status', 'previousStatus', 'reason']);
    const h = req.headers;
    assert.equal(h['content-type'], 'application/json');
    assert.equal(h['user-agent'], 'Switchboard-Webhooks/1');
    assert.equal(h['x-switchboard-event'], 'session.status');
    assert.equal(h['x-switchboard-event-id'], req.body.id);
    assert.match(String(h['x-switchboard-delivery']), UUID);
    assert.ok(Math.abs(Number(h['x-switchboard-timestamp']) - Date.now() / 1000) < 10);
    assert.match(String(h['x-switchboard-signature']), /^sha256=[0-9a-f]{64}$/);
    assert.ok(verifySignature(SECRET, h, req.rawBody), 'the documented check accepts the signature');
    assert.ok(!verifySignature('another-secret-0123456789', h, req.rawBody));
    assert.ok(!verifySignature(SECRET, h, Buffer.from(req.rawBody.toString().replace('READY', 'READZ'))), 'a changed body fails');
    assert.ok(!verifySignature(SECRET, { ...h, 'x-switchboard-timestamp': String(Number(h['x-switchboard-timestamp']) - 3600) }, req.rawBody), 'an old timestamp fails');

    // The delivery log has the same row (recorded just after the answer): same event id, the
    // exact body, one successful attempt.
    const row = await eventually(async () => (await deliveries(w.id)).find((d) => d.id === h['x-switchboard-delivery'] && d.status === 'DELIVERED'));
    assert.equal(row.eventId, req.body.id);
    const detail = (await api(t).get(`/api/webhooks/${w.id}/deliveries/${row.id}`).expect(200)).body.delivery;
    assert.deepEqual(detail.payload, req.body);
    assert.equal(detail.attempts.length, 1);
    assert.deepEqual([detail.attempts[0].success, detail.attempts[0].statusCode, detail.attempts[0].responseBody], [true, 200, 'ok']);
    await api(t).delete(`/api/webhooks/${w.id}`).expect(200);
  });

  it('delivers message.status (sent, delivered, read) for a sent message, in order', async () => {
    const r = await receiver();
    const sessionId = await linkedSession('15550700020');
    await createWebhook({ url: r.url, events: ['message.status'], sessionId, secret: SECRET });
    const sent = await api(t).post('/api/messages/send').send({ sessionId, to: '15550701234', type: 'text', text: 'hi' }).expect(202);
    const id = sent.body.message.id;
    await r.waitFor((x) => x.accepted.filter((q) => q.body.data.messageId === id).length === 3);
    const statuses = r.accepted.filter((q) => q.body.data.messageId === id).map((q) => q.body.data.status);
    assert.deepEqual(statuses, ['SENT', 'DELIVERED', 'READ']);
    const first = r.accepted.find((q) => q.body.data.messageId === id)!;
    assert.equal(first.body.data.waMessageId, sent.body.message.waMessageId);
    assert.equal(first.body.sessionId, sessionId);
    assert.ok(r.accepted.every((q) => verifySignature(SECRET, q.headers, q.rawBody)));
  });

  it('keeps events while the receiver is down and delivers them later in order of creation', async () => {
    const r = await receiver();
    const sessionId = await linkedSession('15550700030');
    const w = await createWebhook({ url: r.url, events: ['contact.opt_in'], sessionId });
    // Down for a number of requests, not a time: within the retry budget (8) however slow the machine.
    const FAILURES = 5;
    r.answerNext([...Array<Failure>(FAILURES - 2).fill('drop'), 503, 503]);
    for (let n = 0; n < 20; n++) await publish(sessionId, { n });
    await r.waitFor((x) => x.accepted.length === 20, 30_000);
    assert.deepEqual(r.accepted.map((q) => q.body.data.n), [...Array(20).keys()], 'delivered in order of creation, none twice');
    // While the receiver was down only the head was tried: the rest of this subscription waited behind it.
    assert.deepEqual(r.requests.slice(0, FAILURES + 1).map((q) => q.body.data.n), Array(FAILURES + 1).fill(0));
    assert.equal(r.requests.length, 20 + FAILURES);
    const after = await eventually(async () => {
      const current = (await api(t).get(`/api/webhooks/${w.id}`).expect(200)).body.webhook.health;
      return current.pending === 0 ? current : null;
    });
    assert.deepEqual([after.pending, after.failed, after.consecutiveFailures], [0, 0, 0]);
    assert.ok(after.lastSuccessAt && after.lastFailureAt && after.lastError);
    const head = (await deliveries(w.id)).at(-1);
    assert.equal(head.attemptCount, FAILURES + 1, 'the head was retried until the receiver answered');
    const log = (await api(t).get(`/api/webhooks/${w.id}/deliveries/${head.id}`).expect(200)).body.delivery.attempts;
    assert.equal(log.length, head.attemptCount);
    assert.equal(log[0].statusCode, null);
    assert.match(log[0].error, /fetch failed|socket|reset|closed/i);
    assert.equal(log.at(-2).statusCode, 503);
    assert.equal(log.at(-1).success, true);
  });

  it('does not let a hanging receiver delay another webhook or message sending', async () => {
    const stuck = await receiver();
    const fine = await receiver();
    const sessionId = await linkedSession('15550700040');
    stuck.down('hang');
    const hung = await createWebhook({ url: stuck.url, events: ['call.received'], sessionId });
    await createWebhook({ url: fine.url, events: ['call.received'], sessionId });
    for (let n = 0; n < 5; n++) await publish(sessionId, { n }, 'call.received');
    await fine.waitFor((x) => x.accepted.length === 5);
    // Not a stopwatch: the hanging attempt has not even timed out yet when the other receiver has everything.
    assert.ok((await deliveries(hung.id, '?limit=10')).every((d) => !d.lastError), 'the healthy receiver did not wait for the hanging one');
    assert.equal(stuck.requests.length, 1, 'the hanging receiver holds its own head only');
    const sent = await api(t).post('/api/messages/send').send({ sessionId, to: '15550701111', type: 'text', text: 'still flowing' }).expect(202);
    await eventually(async () => (await api(t).get(`/api/messages/${sent.body.message.id}`)).body.message.status !== 'QUEUED');
    // The hanging attempt times out (WEBHOOK_TIMEOUT_MS) and is logged as such.
    await eventually(async () => (await deliveries(hung.id, '?limit=10')).some((d) => /Timed out/.test(d.lastError ?? '')), 4_000);
    await api(t).delete(`/api/webhooks/${hung.id}`).expect(200);
  });

  it('gives up after the retries, logs every attempt, and redelivers on request', async () => {
    const r = await receiver();
    const sessionId = await linkedSession('15550700050');
    const w = await createWebhook({ url: r.url, events: ['contact.opt_in'], sessionId, secret: SECRET });
    r.down(503);
    await publish(sessionId, { n: 'a' });
    await publish(sessionId, { n: 'b' });
    const failed = await eventually(async () => {
      const rows = await deliveries(w.id, '?status=FAILED');
      return rows.length === 2 ? rows : null;
    }, 8_000);
    const [b, a] = failed;
    assert.equal(a.attemptCount, 8, 'the head used its whole budget');
    assert.equal(a.nextAttemptAt, null);
    assert.equal(a.lastStatusCode, 503);
    const detail = (await api(t).get(`/api/webhooks/${w.id}/deliveries/${a.id}`).expect(200)).body.delivery;
    assert.equal(detail.attempts.length, 8);
    assert.deepEqual(detail.attempts.map((x: { attempt: number }) => x.attempt), [1, 2, 3, 4, 5, 6, 7, 8]);
    for (const x of detail.attempts) {
      assert.deepEqual([x.success, x.statusCode, x.error, x.responseBody], [false, 503, 'HTTP 503', 'failing on purpose (503)']);
      assert.equal(typeof x.durationMs, 'number');
    }
    const health = (await api(t).get(`/api/webhooks/${w.id}`).expect(200)).body.webhook.health;
    assert.deepEqual([health.pending, health.failed, health.lastError], [0, 2, 'HTTP 503']);
    // Queued behind a head that exhausted its budget in the same outage, it gives up early.
    assert.ok(b.attemptCount >= 1 && b.attemptCount < 8, `b was attempted ${b.attemptCount} times`);

    r.ok();
    const requeued = await api(t).post(`/api/webhooks/${w.id}/deliveries/${a.id}/redeliver`).expect(202);
    assert.equal(requeued.body.delivery.status, 'PENDING');
    await r.waitFor((x) => x.accepted.length === 1);
    const redelivered = r.accepted[0];
    assert.equal(redelivered.headers['x-switchboard-delivery'], a.id);
    assert.deepEqual(redelivered.rawBody, r.requests[0].rawBody, 'a retry sends the same bytes');
    assert.ok(verifySignature(SECRET, redelivered.headers, redelivered.rawBody));
    const done = await eventually(async () => {
      const d = (await api(t).get(`/api/webhooks/${w.id}/deliveries/${a.id}`).expect(200)).body.delivery;
      return d.status === 'DELIVERED' ? d : null;
    });
    assert.equal(done.attempts.length, 9);
    assert.equal(done.attempts.at(-1).success, true);

    // A delivered one can be sent again too (same event id).
    await api(t).post(`/api/webhooks/${w.id}/deliveries/${a.id}/redeliver`).expect(202);
    await r.waitFor((x) => x.accepted.length === 2);
    assert.equal(r.accepted[1].body.id, r.accepted[0].body.id);

    const missing = await api(t).post(`/api/webhooks/${w.id}/deliveries/00000000-0000-4000-8000-000000000000/redeliver`).expect(404);
    assert.equal(missing.body.error.code, 'DELIVERY_NOT_FOUND');
    await api(t).get(`/api/webhooks/${w.id}/deliveries/nope`).expect(404);
  });

  it('pages the delivery log newest first', async () => {
    const r = await receiver();
    const sessionId = await linkedSession('15550700060');
    const w = await createWebhook({ url: r.url, events: ['contact.opt_in'], sessionId });
    for (let n = 0; n < 5; n++) await publish(sessionId, { n });
    await r.waitFor((x) => x.accepted.length === 5);
    const page1 = (await api(t).get(`/api/webhooks/${w.id}/deliveries?limit=3`).expect(200)).body;
    assert.equal(page1.deliveries.length, 3);
    assert.ok(page1.nextCursor);
    const page2 = (await api(t).get(`/api/webhooks/${w.id}/deliveries?limit=3&cursor=${page1.nextCursor}`).expect(200)).body;
    assert.equal(page2.deliveries.length, 2);
    assert.equal(page2.nextCursor, null);
    const events = [...page1.deliveries, ...page2.deliveries].map((d: { eventId: string }) => d.eventId);
    assert.deepEqual(events, r.accepted.map((q) => q.body.id).reverse());
    await api(t).get(`/api/webhooks/${w.id}/deliveries?status=LOST`).expect(400);
    await api(t).get(`/api/webhooks/${w.id}/deliveries?cursor=bogus`).expect(400);
  });

  it('documents every webhook and event route in Swagger', async () => {
    const { body: doc } = await api(t, null).get('/docs-json').expect(200);
    const routes: [string, string, string][] = [
      ['get', '/api/webhooks', 'Webhooks'],
      ['post', '/api/webhooks', 'Webhooks'],
      ['get', '/api/webhooks/{id}', 'Webhooks'],
      ['patch', '/api/webhooks/{id}', 'Webhooks'],
      ['delete', '/api/webhooks/{id}', 'Webhooks'],
      ['get', '/api/webhooks/{id}/deliveries', 'Webhooks'],
      ['get', '/api/webhooks/{id}/deliveries/{deliveryId}', 'Webhooks'],
      ['post', '/api/webhooks/{id}/deliveries/{deliveryId}/redeliver', 'Webhooks'],
      ['post', '/api/webhook', 'Webhooks'],
      ['get', '/api/events', 'Events'],
    ];
    for (const [method, path, tag] of routes) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path} is documented`);
      assert.ok(op.summary && op.tags.includes(tag) && op.security?.length, `${method} ${path}: summary, tag, security`);
      assert.ok(Object.keys(op.responses).some((s) => s.startsWith('4')), `${method} ${path}: error responses`);
    }
    assert.ok(doc.paths['/api/events'].get.responses['200'].content['text/event-stream']);
    assert.match(doc.paths['/api/events'].get.description, /cannot display a stream/);
    assert.ok(doc.components.schemas.CreateWebhookDto.properties.url.example);
    assert.ok(doc.components.schemas.DeliveryDetailDto.properties.attempts);
  });

  it('maps the device-token gateway’s POST /api/webhook {token, url} onto the session’s webhook', async () => {
    const r = await receiver();
    const sessionId = await linkedSession('15550700070');
    const first = await api(t).post('/api/webhook').send({ token: '15550700070', url: 'http://127.0.0.1:9/old' }).expect(200);
    assert.deepEqual([first.body.success, first.body.status, first.body.message], [true, true, 'Webhook created']);
    const w = first.body.webhook;
    assert.deepEqual([w.sessionId, w.events, w.origin, w.url], [sessionId, ['*'], 'device', 'http://127.0.0.1:9/old']);
    const second = await api(t).post('/api/webhook').send({ token: sessionId, url: r.url }).expect(200);
    assert.equal(second.body.message, 'Webhook updated');
    assert.equal(second.body.webhook.id, w.id, 'replaced in place');
    assert.equal(second.body.webhook.url, r.url);
    const bound = (await api(t).get(`/api/webhooks?sessionId=${sessionId}`).expect(200)).body.webhooks;
    assert.equal(bound.filter((x: { origin: string }) => x.origin === 'device').length, 1);
    await publish(sessionId, { hello: 'device' });
    await r.waitFor((x) => x.accepted.some((q) => q.body.data.hello === 'device'));
    const missing = await api(t).post('/api/webhook').send({ token: 'no-such-device', url: r.url }).expect(404);
    assert.equal(missing.body.error.code, 'SESSION_NOT_FOUND');
    await api(t).post('/api/webhook').send({ token: sessionId, url: 'javascript:alert(1)' }).expect(400);
    await api(t).post('/api/webhook').send({ url: r.url }).expect(400);
  });

  // Documented promises (docs/api.md): redirects are failed attempts (never followed) retried with the same event
  // id, and a deactivated webhook's pending deliveries wait, then all arrive once each and in
  // order when it is reactivated.
  describe('redirects and deactivation', () => {
    it('counts a redirect as a failed attempt, retries it later with the same event id, and never follows it', async () => {
      const target = await receiver();
      const redirects = [301, 302, 303, 307, 308];
      const redirector = await receiver();
      redirector.redirectTo(`${target.url}/moved-here`);
      redirector.answerNext(redirects);
      const sessionId = await linkedSession('15550710010');
      const w = await createWebhook({ url: `${redirector.url}/hook`, events: ['contact.opt_in'], sessionId });
      await publish(sessionId, { n: 'redirected' });

      const row = await eventually(async () => (await deliveries(w.id, '?limit=500')).find((d) => d.status === 'DELIVERED'), 5_000).catch((err) => {
        throw new Error(`${err.message}; the redirector answered ${JSON.stringify(redirector.requests.map((q) => q.answer))}, the Location target got ${target.requests.length} request(s)`);
      });
      await holds(() => target.requests.length === 0, { what: `no request to the Location target (it got ${JSON.stringify(target.requests.map((q) => [q.method, q.path]))})` });

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
      const h = await healthOf(w.id);
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
      await eventually(async () => (await healthOf(w.id)).consecutiveFailures >= 5);

      const paused = (await api(t).patch(`/api/webhooks/${w.id}`).send({ active: false }).expect(200)).body.webhook;
      assert.equal(paused.active, false);
      assert.equal(paused.health.pending, 10);
      const triedAtPause = r.requests.length;
      // The receiver is back at once, but the webhook is paused: over many retry periods nothing goes out.
      r.ok();
      // While inactive a webhook gets no new deliveries (documented on `active`): this one is not queued.
      await publish(sessionId, { n: 'while-inactive' });
      await holds(() => r.accepted.length === 0, { for: 1_000, what: 'nothing delivered while inactive' });
      assert.ok(r.requests.length <= triedAtPause + 1, `${r.requests.length - triedAtPause} attempts while inactive`);
      const held = await healthOf(w.id);
      assert.deepEqual([held.pending, held.failed], [10, 0]);
      assert.ok((await deliveries(w.id, '?limit=500')).every((d) => d.status === 'PENDING'));

      const resumed = (await api(t).patch(`/api/webhooks/${w.id}`).send({ active: true }).expect(200)).body.webhook;
      assert.equal(resumed.active, true);
      await r.waitFor((x) => x.accepted.length >= 10, 30_000);
      // Once nothing is pending, nothing more is sent: a duplicate would be among what arrived.
      await eventually(async () => (await healthOf(w.id)).pending === 0, 30_000);
      assert.deepEqual(r.accepted.map((q) => q.body.data.n), [...Array(10).keys()], 'every pending delivery, once, in order of creation');
      assert.equal(new Set(r.accepted.map((q) => q.body.id)).size, 10, 'ten distinct events');
      assert.ok(!r.requests.some((q) => q.body.data.n === 'while-inactive'));
      const rows = await deliveries(w.id, '?limit=500');
      assert.equal(rows.length, 10);
      assert.ok(rows.every((d) => d.status === 'DELIVERED'));
      assert.deepEqual(
        new Set(r.accepted.map((q) => String(q.headers['x-switchboard-delivery']))),
        new Set(rows.map((d) => d.id)),
        'the arrivals are exactly the queued deliveries',
      );
      const done = await eventually(async () => {
        const current = await healthOf(w.id);
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
      // The worker sees the pause at its next write: over 800 ms, at most two more requests.
      await holds(() => r.requests.length - atPause <= 2, { for: 800, what: 'at most two requests after the pause' });
      // Attempts are recorded while the next request is in flight, so the worker sees the pause
      // at its next write: the request in flight and at most the one after it still arrive.
      const extra = r.requests.length - atPause;
      assert.ok(extra <= 2, `${extra} more requests after the webhook was deactivated`);
      const delivered = r.accepted.length;
      assert.ok(delivered < 20, 'the backlog was still draining when it was paused');
      const held = await eventually(async () => {
        const current = await healthOf(w.id);
        return current.pending === 20 - delivered ? current : null;
      }, 2_000);
      assert.equal(held.failed, 0);

      await api(t).patch(`/api/webhooks/${w.id}`).send({ active: true }).expect(200);
      await r.waitFor((x) => x.accepted.length >= 20, 30_000);
      // Once nothing is pending, nothing more is sent: a duplicate would be among what arrived.
      await eventually(async () => (await healthOf(w.id)).pending === 0, 30_000);
      assert.deepEqual(r.accepted.map((q) => q.body.data.n), [...Array(20).keys()], 'every delivery, once, in order of creation');
      const done = await eventually(async () => {
        const current = await healthOf(w.id);
        return current.pending === 0 ? current : null;
      });
      assert.deepEqual([done.pending, done.failed], [0, 0]);
    });
  });
});
