import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from '../support/node-test';
import { createToken, createWebhook, linkedSession, messageWithStatus, sendText } from '../support/factories';
import { api } from '../support/http';
import { parsePrometheusText, type Exposition } from '../support/prometheus-text';
import { FAST_QUEUE_ENV, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { FAST_WEBHOOK_ENV, WebhookReceiver } from '../support/webhook-receiver';

const METRICS_TOKEN = 'metrics-scrape-token-0123456789';
const DOCS = join(__dirname, '..', '..', '..', 'docs');

/**
 * GET /metrics over real HTTP: who may read it, that it is valid Prometheus text, and that its
 * figures follow what the app does (a message sent through the sandbox engine, a webhook
 * delivered, HTTP requests by route template). The docs' dashboard and alert rules use only
 * metric names the endpoint exports.
 */
describe('Metrics (GET /metrics)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  before(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestApp({ env: { ...FAST_WEBHOOK_ENV, ...FAST_QUEUE_ENV, METRICS_TOKEN } });
  });
  after(async () => {
    await t?.destroy();
    await receiver?.close();
  });

  async function scrape(token = METRICS_TOKEN): Promise<Exposition> {
    const res = await api(t, token).get('/metrics').expect(200);
    assert.match(String(res.headers['content-type']), /^text\/plain;.*version=0\.0\.4/);
    return parsePrometheusText(res.text);
  }

  it('answers 401 without a credential, 403 to a non-admin token, 200 to METRICS_TOKEN and to an admin', async () => {
    const anonymous = await api(t, null).get('/metrics').expect(401);
    assert.equal(anonymous.body.error.code, 'UNAUTHENTICATED');
    assert.ok(anonymous.body.requestId);
    await api(t, 'not-the-metrics-token-at-all').get('/metrics').expect(401);
    const sessionId = (await linkedSession(t, '15550101001')).id;
    const bound = await createToken(t, { name: 'bound', sessionId });
    assert.equal((await api(t, bound).get('/metrics').expect(403)).body.error.code, 'ADMIN_REQUIRED');
    // METRICS_TOKEN opens /metrics only, nothing else.
    await api(t, METRICS_TOKEN).get('/api/sessions').expect(401);
    for (const token of [METRICS_TOKEN, TEST_API_KEY]) {
      const m = await scrape(token);
      assert.equal(m.types.get('switchboard_sessions'), 'gauge');
    }
  });

  it('is served natively at /metrics, while /v21.0/metrics stays a Graph object id', async () => {
    const graph = await api(t).get('/v21.0/metrics');
    assert.notEqual(graph.status, 200);
    assert.ok(graph.body.error?.fbtrace_id, JSON.stringify(graph.body));
    assert.equal(graph.headers['x-request-id'], graph.body.error.fbtrace_id);
  });

  it('exports process, event-loop and shared-state gauges with every label value', async () => {
    const m = await scrape();
    for (const name of ['switchboard_process_cpu_seconds_total', 'switchboard_process_resident_memory_bytes', 'switchboard_nodejs_eventloop_lag_p99_seconds', 'switchboard_nodejs_heap_size_used_bytes']) {
      assert.ok(m.samples.some((s) => s.name === name), `${name} missing`);
    }
    for (const status of ['REGISTERING', 'CONNECTING', 'READY', 'DISCONNECTED', 'LOGGED_OUT', 'INACTIVE']) assert.equal(typeof m.value('switchboard_sessions', { status }), 'number');
    assert.ok(m.value('switchboard_sessions', { status: 'READY' })! >= 1);
    for (const state of ['queued', 'held', 'sending']) assert.equal(typeof m.value('switchboard_queue_depth', { state }), 'number');
    assert.equal(m.types.get('switchboard_queue_oldest_age_seconds'), 'gauge');
    assert.equal(typeof m.value('switchboard_webhook_backlog'), 'number');
    for (const reason of ['expired', 'handover', 'rebalance']) assert.equal(m.value('switchboard_session_lease_takeovers_total', { reason }), 0);
  });

  it('counts a message sent through the sandbox engine and its webhook deliveries', async () => {
    const sessionId = (await linkedSession(t, '15550101002')).id;
    await createWebhook(t, { url: `${receiver.url}/hook`, events: ['message.status'], sessionId });
    const before = await scrape();
    const queued = before.sum('switchboard_messages_total', { direction: 'outbound', type: 'text', status: 'QUEUED' });
    const sent = before.sum('switchboard_messages_total', { direction: 'outbound', type: 'text', status: 'SENT' });
    const latencyCount = before.sum('switchboard_message_send_latency_seconds_count', { type: 'text' });
    const delivered = before.value('switchboard_webhook_deliveries_total', { outcome: 'delivered' }) ?? 0;

    const message = await sendText(t, sessionId, '15550104242', 'hello metrics');
    // The sandbox's receipts follow at once: DELIVERED, then READ.
    await messageWithStatus(t, message.id, 'READ');
    await waitFor(() => receiver.requests.length >= 3, { what: 'three webhook deliveries (SENT, DELIVERED, READ)' });

    const after = await waitFor(
      async () => {
        const m = await scrape();
        return (m.value('switchboard_webhook_deliveries_total', { outcome: 'delivered' }) ?? 0) >= delivered + 3 ? m : null;
      },
      { what: 'the webhook deliveries counted' },
    );
    assert.equal(after.sum('switchboard_messages_total', { direction: 'outbound', type: 'text', status: 'QUEUED' }), queued + 1);
    assert.equal(after.sum('switchboard_messages_total', { direction: 'outbound', type: 'text', status: 'SENT' }), sent + 1);
    assert.ok(after.sum('switchboard_messages_total', { direction: 'outbound', type: 'text', status: 'DELIVERED' }) >= 1);
    assert.ok(after.sum('switchboard_messages_total', { direction: 'outbound', type: 'text', status: 'READ' }) >= 1);
    // The send latency histogram: one more observation, cumulative buckets ending at +Inf.
    assert.equal(after.sum('switchboard_message_send_latency_seconds_count', { type: 'text' }), latencyCount + 1);
    const buckets = after.samples.filter((s) => s.name === 'switchboard_message_send_latency_seconds_bucket' && s.labels.type === 'text');
    assert.ok(buckets.length > 5);
    assert.equal(buckets.at(-1)!.labels.le, '+Inf');
    assert.equal(buckets.at(-1)!.value, latencyCount + 1);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, 'buckets are cumulative');
    // Nothing left behind in the queue; the backlog empties once the attempts are recorded.
    assert.equal(after.value('switchboard_queue_depth', { state: 'queued' }), 0);
    assert.equal(after.value('switchboard_queue_oldest_age_seconds'), 0);
    await waitFor(async () => (await scrape()).value('switchboard_webhook_backlog') === 0, { what: 'an empty webhook backlog' });
  });

  it('shows a waiting message in the queue gauges and failed webhook attempts as retries and backlog', async () => {
    const sessionId = (await linkedSession(t, '15550101005')).id;
    const down = await WebhookReceiver.start();
    try {
      down.down(503);
      await createWebhook(t, { url: `${down.url}/hook`, events: ['message.status'], sessionId });
      const retries = (await scrape()).value('switchboard_webhook_deliveries_total', { outcome: 'retry' }) ?? 0;
      // The sandbox fails numbers ending in 9999 transiently: the message goes back to the queue to wait for its retry.
      const message = await sendText(t, sessionId, '15550109999', 'try again later');
      await waitFor(async () => (await api(t).get(`/api/messages/${message.id}`).expect(200)).body.message.attempts >= 1, { what: 'the first attempt' });
      const m = await waitFor(
        async () => {
          const scraped = await scrape();
          return scraped.value('switchboard_queue_depth', { state: 'queued' })! >= 1 && scraped.value('switchboard_queue_oldest_age_seconds')! > 0 ? scraped : null;
        },
        { what: 'the waiting message in the queue gauges' },
      );
      assert.ok(m.value('switchboard_queue_oldest_age_seconds')! < 60);
      // Cancel it: its status event goes to the failing receiver.
      await api(t).delete(`/api/messages/${message.id}`).expect(200);
      await waitFor(
        async () => {
          const scraped = await scrape();
          return (scraped.value('switchboard_webhook_deliveries_total', { outcome: 'retry' }) ?? 0) > retries && scraped.value('switchboard_webhook_backlog')! >= 1;
        },
        { what: 'a retried webhook delivery in the backlog' },
      );
      assert.ok((await scrape()).sum('switchboard_messages_total', { direction: 'outbound', status: 'CANCELED' }) >= 1);
    } finally {
      await down.close();
    }
  });

  it('counts inbound messages', async () => {
    const sessionId = (await linkedSession(t, '15550101003')).id;
    const before = (await scrape()).sum('switchboard_messages_total', { direction: 'inbound', status: 'RECEIVED' });
    await api(t).post(`/api/sessions/${sessionId}/sandbox/inbound`).send({ from: '15550108888', text: 'hi there' }).expect(202);
    await waitFor(async () => (await scrape()).sum('switchboard_messages_total', { direction: 'inbound', status: 'RECEIVED' }) === before + 1, {
      what: 'the inbound message counted',
    });
  });

  it('times HTTP requests by route template and status class, never by raw path', async () => {
    const sessionId = (await linkedSession(t, '15550101004')).id;
    await api(t).get(`/api/sessions/${sessionId}`).expect(200);
    await api(t).get('/api/sessions/no-such-session-4711').expect(404);
    await api(t).get('/no/such/route/4711').expect(404);
    const m = await waitFor(
      async () => {
        const scraped = await scrape();
        return scraped.value('switchboard_http_request_duration_seconds_count', { method: 'GET', route: '/api/sessions/:sessionId', status_class: '4xx' }) ? scraped : null;
      },
      { what: 'the 404 timed' },
    );
    assert.ok(m.value('switchboard_http_request_duration_seconds_count', { method: 'GET', route: '/api/sessions/:sessionId', status_class: '2xx' })! >= 1);
    assert.ok(m.value('switchboard_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_class: '4xx' })! >= 1);
    const routes = new Set(m.samples.filter((s) => s.name.startsWith('switchboard_http_request_duration_seconds')).map((s) => s.labels.route));
    for (const route of routes) {
      assert.ok(route === 'unmatched' || route.startsWith('/'), route);
      assert.ok(!route.includes(sessionId) && !route.includes('4711'), `raw path as a label: ${route}`);
    }
    assert.ok(m.samples.some((s) => s.name === 'switchboard_http_request_duration_seconds_bucket' && s.labels.le === '0.005'));
  });

  // After the tests above, so every series (the send latency's, the messages') exists.
  it('has every metric the Grafana dashboard and the alert rules use', async () => {
    const exported = new Set((await scrape()).samples.map((s) => s.name));
    const dashboard = JSON.parse(readFileSync(join(DOCS, 'grafana', 'switchboard.json'), 'utf8')) as { panels: { targets?: { expr: string }[]; title: string }[]; schemaVersion: number; title: string; uid: string };
    assert.ok(dashboard.schemaVersion >= 36 && dashboard.uid && dashboard.title);
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((target) => target.expr));
    assert.ok(exprs.length >= 8, 'dashboard has queries');
    const rules = alertRules(readFileSync(join(DOCS, 'prometheus', 'alerts.yml'), 'utf8'));
    for (const alert of ['SwitchboardSessionNotReady', 'SwitchboardQueueStuck', 'SwitchboardWebhookBacklog', 'SwitchboardSendFailureRate', 'SwitchboardScrapeMissing']) {
      assert.ok(rules.some((r) => r.alert === alert), `${alert} missing`);
    }
    for (const expr of [...exprs, ...rules.map((r) => r.expr)]) {
      const names = expr.match(/\bswitchboard_[a-z0-9_]+/g) ?? [];
      for (const name of names) assert.ok(exported.has(name), `${name} (in ${expr}) is not exported by /metrics`);
    }
  });
});

/**
 * The rules of a Prometheus rule file, read line by line: `- alert: Name` starts a rule, its
 * `expr:` is a one-line string or a `|` block. Strict enough for the file in docs/.
 */
function alertRules(yaml: string): { alert: string; expr: string }[] {
  const lines = yaml.split('\n');
  assert.match(lines.find((l) => l.trim() && !l.trim().startsWith('#')) ?? '', /^groups:\s*$/);
  const rules: { alert: string; expr: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const alert = /^\s*- alert: (\w+)\s*$/.exec(lines[i]);
    if (alert) {
      rules.push({ alert: alert[1], expr: '' });
      continue;
    }
    const expr = /^(\s*)expr: ?(.*)$/.exec(lines[i]);
    if (!expr) continue;
    const rule = rules.at(-1);
    assert.ok(rule && !rule.expr, `expr outside a rule at line ${i + 1}`);
    if (expr[2].trim() === '|' || expr[2].trim() === '>') {
      const block: string[] = [];
      while (i + 1 < lines.length && (lines[i + 1].trim() === '' || lines[i + 1].search(/\S/) > expr[1].length)) block.push(lines[++i].trim());
      rule.expr = block.join(' ').trim();
    } else {
      rule.expr = expr[2].trim();
    }
    assert.ok(rule.expr, `empty expr for ${rule.alert}`);
  }
  return rules;
}
