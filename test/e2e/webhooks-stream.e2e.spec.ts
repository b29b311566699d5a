import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { WebhooksService } from '../../src/webhooks/webhooks.service';
import { api } from '../support/http';
import { SseClient } from '../support/sse-client';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { createSession, createToken } from '../support/factories';

/** GET /api/events: the live stream of the same events webhooks get. */
describe('Live event stream (SSE)', () => {
  let t: TestApp;
  const clients: SseClient[] = [];

  before(async () => {
    t = await startTestApp({ env: { EVENTS_HEARTBEAT_MS: '200', SANDBOX_RECEIPT_DELAY_MS: '10', DEFAULT_MIN_DELAY_MS: '0', DEFAULT_MAX_DELAY_MS: '0' } });
  });
  after(async () => {
    clients.forEach((c) => c.close());
    await t?.destroy();
  });

  async function open(query = '', token?: string): Promise<SseClient> {
    const c = await SseClient.open(`${t.url}/api/events${query}`, token);
    clients.push(c);
    return c;
  }

  async function linkedSession(phone: string): Promise<string> {
    const { body } = await api(t).post('/api/sessions').send({}).expect(201);
    await api(t).post(`/api/sessions/${body.session.sessionId}/sandbox/link`).send({ phoneNumber: phone }).expect(200);
    return body.session.sessionId;
  }

  it('streams events as id / event / data frames carrying the webhook envelope', async () => {
    const all = await open();
    assert.equal(all.response.status, 200);
    assert.match(all.response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(all.response.headers.get('cache-control'), 'no-cache, no-transform');
    const sessionId = await linkedSession('15550800001');
    await all.waitFor((c) => c.events.some((e) => e.json.sessionId === sessionId && e.json.data.status === 'READY'));
    const ready = all.events.find((e) => e.json.sessionId === sessionId && e.json.data.status === 'READY')!;
    assert.equal(ready.event, 'session.status');
    // `id:` is the outbox position to resume after; the envelope carries the event id.
    assert.match(ready.id!, /^\d+$/);
    assert.match(ready.json.id, /^evt_[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(ready.json), ['id', 'event', 'sessionId', 'createdAt', 'data']);
    // QR events of the linking session came first.
    assert.ok(all.events.some((e) => e.event === 'session.qr' && e.json.sessionId === sessionId));
  });

  it('filters by event type and session', async () => {
    const a = await linkedSession('15550800011');
    const b = await linkedSession('15550800012');
    const onlyA = await open(`?events=message.status,contact.opt_in&sessionId=${a}`);
    const byNumber = await open('?sessionId=%2B1%20555%20080%200012&events=contact.opt_in');
    await t.app.get(WebhooksService).publish({ type: 'contact.opt_in', sessionId: a, data: { optIn: 'yes' } });
    await t.app.get(WebhooksService).publish({ type: 'contact.opt_in', sessionId: b, data: { optIn: 'no' } });
    await t.app.get(WebhooksService).publish({ type: 'call.received', sessionId: a, data: { from: 'x' } });
    await api(t).post('/api/messages/send').send({ sessionId: a, to: '15550801111', type: 'text', text: 'x' }).expect(202);
    await onlyA.waitFor((c) => c.events.filter((e) => e.event === 'message.status').length >= 3);
    await byNumber.waitFor((c) => c.events.length >= 1);
    assert.ok(onlyA.events.every((e) => e.json.sessionId === a && ['message.status', 'contact.opt_in'].includes(e.event!)));
    assert.deepEqual(onlyA.events.filter((e) => e.event === 'contact.opt_in').map((e) => e.json.data), [{ optIn: 'yes' }]);
    assert.deepEqual(byNumber.events.map((e) => [e.event, e.json.sessionId, e.json.data.optIn]), [['contact.opt_in', b, 'no']]);
  });

  it('limits a session-bound token to its session and rejects bad requests', async () => {
    const mine = await linkedSession('15550800021');
    const other = await linkedSession('15550800022');
    const token = await createToken(t, { name: 'stream', sessionId: mine });
    const bound = await open('?events=contact.opt_in', token);
    await t.app.get(WebhooksService).publish({ type: 'contact.opt_in', sessionId: other, data: { n: 1 } });
    await t.app.get(WebhooksService).publish({ type: 'contact.opt_in', sessionId: mine, data: { n: 2 } });
    // Events arrive in order: once a later one of its own session is in, the other session's would have been too.
    await t.app.get(WebhooksService).publish({ type: 'contact.opt_in', sessionId: mine, data: { n: 3 } });
    await bound.waitFor((c) => c.events.some((e) => e.json.data.n === 3));
    assert.deepEqual(bound.events.map((e) => e.json.data.n), [2, 3]);

    const forbidden = await fetch(`${t.url}/api/events?sessionId=${other}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as any).error.code, 'FORBIDDEN');
    const unknown = await fetch(`${t.url}/api/events?events=message.sent`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as any).error.code, 'VALIDATION_FAILED');
    const missing = await fetch(`${t.url}/api/events?sessionId=nope`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    assert.equal(missing.status, 404);
    const anonymous = await fetch(`${t.url}/api/events`);
    assert.equal(anonymous.status, 401);
  });

  it('limits a workspace-bound token to its workspace’s sessions', async () => {
    const inside = (await api(t).post('/api/sessions').send({ workspace: 'Sales' }).expect(201)).body.session.sessionId;
    const outside = await createSession(t);
    const token = await createToken(t, { name: 'sales', workspace: 'Sales' });
    const stream = await open('?events=call.received', token);
    for (const sessionId of [outside, inside, outside, inside]) {
      await t.app.get(WebhooksService).publish({ type: 'call.received', sessionId, data: { sessionId } });
    }
    // In order: the last one in means every earlier one was seen or filtered out.
    await stream.waitFor((c) => c.events.length >= 2);
    assert.deepEqual(stream.events.map((e) => e.json.sessionId), [inside, inside]);
    const denied = await fetch(`${t.url}/api/events?sessionId=${outside}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(denied.status, 403);
  });

  it('sends a heartbeat comment and ends open streams cleanly on shutdown', async () => {
    const c = await open('?events=contact.opt_in');
    await c.waitFor((x) => x.frames.some((f) => f.comment === 'ping'), 2_000);
    assert.ok(c.frames[0].comment === 'connected');
    const started = Date.now();
    await t.close();
    await c.waitFor((x) => x.ended, 2_000);
    assert.ok(Date.now() - started < 3_000, 'shutdown does not wait for stream clients');
  });
});
