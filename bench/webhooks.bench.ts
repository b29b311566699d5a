/**
 * Webhook benchmark (issue: inbound, webhooks). One run against the local PostgreSQL
 * (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres; a fresh database is
 * created and dropped). The gateway runs as its own process (build/src/main.js) on the
 * sandbox engine; this process plays the contacts and the receiver.
 *
 *   1. live: BENCH_EVENTS (10,000) inbound messages from BENCH_CHATS (200) contacts go through
 *      POST …/sandbox/inbound (each is stored and its `message.received` delivery written in
 *      one transaction) while one receiver refuses 30 % of requests with a 500: every event
 *      must arrive, none twice among the accepted requests or in the log of successful
 *      attempts, in order of creation within each chat. Its rate is the inbound pipeline's
 *      (storage); the created → delivered latency shows whether the webhook keeps up;
 *   2. backlog: the same number of events queued while the receiver is down, then drained
 *      once it is back (still refusing 30 %): the delivery rate alone;
 *   3. large backlog: BENCH_BACKLOG (50,000) deliveries over BENCH_CHATS chats written straight
 *      into the queue (copies of a real delivery), drained through a receiver refusing 30 %,
 *      with the gateway's resident memory sampled every second;
 *   4. the same backlog as phase 2 drained by a second gateway with WEBHOOK_CHAT_CONCURRENCY=1
 *      (one request at a time per webhook, the former behaviour): the ratio of phase 2 to this
 *      is what sending chats in parallel buys.
 */
import { readFileSync } from 'node:fs';
import { waitFor } from '../test/support/wait';
import { WebhookReceiver } from '../test/support/webhook-receiver';
import { startBenchGateway } from './support/gateway';
import { runBench } from './support/run';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const FAIL_RATE = Number(process.env.BENCH_FAIL_RATE ?? 0.3);
const SENDERS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const CHATS = Number(process.env.BENCH_CHATS ?? 200);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 50_000);

interface PhaseResult {
  events: number;
  requests: number;
  refused: number;
  duplicatesAccepted: number;
  missing: number;
  /** Every chat's deliveries were first accepted in creation order. */
  inOrder: boolean;
  /** Gateway RSS in MB at the start, peak and end of the drain (large backlog only). */
  rssMb?: { start: number; peak: number; end: number };
  ingestSeconds: number;
  deliverySeconds: number;
  eventsPerSecond: number;
  /** From the delivery row's creation to its successful attempt, in ms. */
  latencyMs: { p50: number; p95: number; max: number };
}

async function main(): Promise<void> {
  const receiver = await WebhookReceiver.start();
  const gatewayEnv = {
    // Short backoff so refused requests are retried within the run (defaults: 10 s … 1 h).
    WEBHOOK_RETRY_BASE_MS: process.env.BENCH_RETRY_BASE_MS ?? '2',
    WEBHOOK_RETRY_MAX_MS: '200',
    WEBHOOK_POLL_INTERVAL_MS: '100',
    // A budget large enough that the backlog phase's outage gives nothing up.
    WEBHOOK_MAX_ATTEMPTS: '1000',
  };
  const { db, api, close, server } = await startBenchGateway(gatewayEnv);

  /** Sends `count` inbound texts from CHATS contacts with SENDERS requests in flight; returns the seconds it took. */
  const ingestInto = async (call: typeof api, sessionId: string, phase: string, count: number): Promise<number> => {
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < count) {
          const i = next++;
          await call(`/api/sessions/${sessionId}/sandbox/inbound`, 'POST', { from: `1555061${String(i % CHATS).padStart(4, '0')}`, text: `${phase} ${i}` });
        }
      }),
    );
    return (Date.now() - started) / 1000;
  };
  const ingest = (sessionId: string, phase: string, count: number) => ingestInto(api, sessionId, phase, count);

  /** Waits for every delivery of the webhook, then checks the receiver's log against the database. */
  const settle = async (webhookId: string, path: string, started: number, ingestSeconds: number, expected = EVENTS, on = db): Promise<PhaseResult> => {
    await waitFor(async () => {
      const { rows } = await on.query(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'DELIVERED')::int AS done FROM webhook_delivery WHERE webhook_id = $1`,
        [webhookId],
      );
      return rows[0].total >= expected && rows[0].done === rows[0].total;
    }, { timeout: 900_000, interval: 100, what: 'every delivery DELIVERED' });
    const deliverySeconds = (Date.now() - started) / 1000;
    const { rows } = await on.query(`SELECT id, seq, order_key FROM webhook_delivery WHERE webhook_id = $1 ORDER BY seq`, [webhookId]);
    const seen = receiver.requests.filter((r) => r.path === path);
    const accepted = seen.filter(isAccepted).map(deliveryOf);
    const firstSeen: string[] = [];
    const unique = new Set<string>();
    for (const id of accepted) {
      if (unique.has(id)) continue;
      unique.add(id);
      firstSeen.push(id);
    }
    const latency = (
      await on.query(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95, max(ms) AS max
           FROM (SELECT extract(epoch FROM a.started_at - d.created_at) * 1000 AS ms
                   FROM webhook_delivery d JOIN webhook_delivery_attempt a ON a.delivery_id = d.id AND a.success
                  WHERE d.webhook_id = $1) x`,
        [webhookId],
      )
    ).rows[0];
    const rowOf = new Map(rows.map((r) => [r.id as string, { seq: Number(r.seq), key: r.order_key as string }]));
    const lastSeqOfChat = new Map<string, number>();
    let inOrder = true;
    for (const id of firstSeen) {
      const r = rowOf.get(id);
      if (!r) continue;
      if ((lastSeqOfChat.get(r.key) ?? -1) > r.seq) inOrder = false;
      lastSeqOfChat.set(r.key, r.seq);
    }
    return {
      events: rows.length,
      requests: seen.length,
      refused: seen.length - accepted.length,
      duplicatesAccepted: accepted.length - unique.size,
      missing: rows.filter((r) => !unique.has(r.id)).length,
      inOrder,
      ingestSeconds: round(ingestSeconds),
      deliverySeconds: round(deliverySeconds),
      eventsPerSecond: Math.round(rows.length / deliverySeconds),
      latencyMs: { p50: Math.round(latency.p50), p95: Math.round(latency.p95), max: Math.round(latency.max) },
    };
  };

  try {
    const created = await api('/api/sessions', 'POST', {});
    const sessionId = created.session.sessionId;
    await api(`/api/sessions/${sessionId}/sandbox/link`, 'POST', { phoneNumber: '15550600001' });

    // 1. Live: events and deliveries at the same time.
    const live = (await api('/api/webhooks', 'POST', { url: `${receiver.url}/live`, events: ['message.received'], sessionId })).webhook.id;
    receiver.failFraction(FAIL_RATE, 500);
    let started = Date.now();
    const liveResult = await settle(live, '/live', started, await ingest(sessionId, 'live', EVENTS));
    await api(`/api/webhooks/${live}`, 'PATCH', { active: false });

    // 2. Backlog: queued while the receiver is down, drained when it is back.
    const backlog = (await api('/api/webhooks', 'POST', { url: `${receiver.url}/backlog`, events: ['message.received'], sessionId })).webhook.id;
    receiver.down(503);
    const backlogIngest = await ingest(sessionId, 'backlog', EVENTS);
    await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM webhook_delivery WHERE webhook_id = $1`, [backlog])).rows[0].n >= EVENTS, { timeout: 120_000, interval: 100, what: 'the backlog queued' });
    receiver.ok();
    receiver.failFraction(FAIL_RATE, 500, 7);
    started = Date.now();
    const backlogResult = await settle(backlog, '/backlog', started, backlogIngest);

    // 3. Large backlog: copies of a real delivery over CHATS chats, written straight into the queue.
    const large = (await api('/api/webhooks', 'POST', { url: `${receiver.url}/large`, events: ['message.received'], sessionId, active: false })).webhook.id;
    await db.query(
      `INSERT INTO webhook_delivery (webhook_id, event_id, event_type, session_id, order_key, body, status)
       SELECT $1, 'evt_bench_' || g, 'message.received', $2, $2 || '/chat' || (g % $3), tpl.body, 'PENDING'
         FROM generate_series(1, $4::int) g, (SELECT body FROM webhook_delivery WHERE webhook_id = $5 LIMIT 1) tpl`,
      [large, sessionId, CHATS, BACKLOG, backlog],
    );
    receiver.failFraction(FAIL_RATE, 500, 11);
    const rss: number[] = [rssMb(server.child.pid!)];
    const sampler = setInterval(() => rss.push(rssMb(server.child.pid!)), 1_000);
    started = Date.now();
    await api(`/api/webhooks/${large}`, 'PATCH', { active: true });
    const largeResult = await settle(large, '/large', started, 0, BACKLOG).finally(() => clearInterval(sampler));
    rss.push(rssMb(server.child.pid!));
    largeResult.rssMb = { start: rss[0], peak: Math.max(...rss), end: rss.at(-1)! };

    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE success)::int AS ok, count(DISTINCT delivery_id) FILTER (WHERE success)::int AS distinct_ok FROM webhook_delivery_attempt`,
    );

    // 4. Phase 2's backlog again, one request at a time per webhook (a second gateway, its own database).
    const serial = await startBenchGateway({ ...gatewayEnv, WEBHOOK_CHAT_CONCURRENCY: '1' });
    let serialResult: PhaseResult;
    try {
      const sid = (await serial.api('/api/sessions', 'POST', {})).session.sessionId;
      await serial.api(`/api/sessions/${sid}/sandbox/link`, 'POST', { phoneNumber: '15550600002' });
      const hook = (await serial.api('/api/webhooks', 'POST', { url: `${receiver.url}/serial`, events: ['message.received'], sessionId: sid })).webhook.id;
      receiver.down(503);
      const serialIngest = await ingestInto(serial.api, sid, 'serial', EVENTS);
      await waitFor(async () => (await serial.db.query(`SELECT count(*)::int AS n FROM webhook_delivery WHERE webhook_id = $1`, [hook])).rows[0].n >= EVENTS, { timeout: 120_000, interval: 100, what: 'the serial backlog queued' });
      receiver.ok();
      receiver.failFraction(FAIL_RATE, 500, 7);
      serialResult = await settle(hook, '/serial', Date.now(), serialIngest, EVENTS, serial.db);
    } finally {
      await serial.close();
    }

    const results = [liveResult, backlogResult, largeResult, serialResult];
    const ok = results.every((r) => r.missing === 0 && r.duplicatesAccepted === 0 && r.inOrder) && rows[0].ok === rows[0].distinct_ok;
    const ratio = Math.round((backlogResult.eventsPerSecond / serialResult.eventsPerSecond) * 100) / 100;
    const report = { events: EVENTS, chats: CHATS, backlog: BACKLOG, failRate: FAIL_RATE, senders: SENDERS, live: liveResult, backlogDrain: backlogResult, largeBacklog: largeResult, oneAtATime: serialResult, parallelOverSerial: ratio, attemptLog: rows[0], ok };
    process.stdout.write(
      [
        `## Webhooks benchmark (${new Date().toISOString()})`,
        '',
        `| phase (receiver refusing ${FAIL_RATE * 100} %, ${CHATS} chats) | requests | refused | delivered twice | missing | in order per chat | events/s | created → delivered p50 / p95 |`,
        '|---|---|---|---|---|---|---|---|',
        row(`live: ${EVENTS} inbound, ingest and delivery together`, liveResult),
        row(`backlog: ${EVENTS} queued while down, then drained`, backlogResult),
        row(`large backlog: ${BACKLOG} drained (RSS ${largeResult.rssMb.start} → peak ${largeResult.rssMb.peak} → ${largeResult.rssMb.end} MB)`, largeResult),
        row(`backlog with WEBHOOK_CHAT_CONCURRENCY=1`, serialResult),
        '',
        `Backlog drain, chats in parallel over one at a time: **${ratio}×**. Successful attempts logged (first gateway): ${rows[0].ok} for ${rows[0].distinct_ok} deliveries. ${ok ? 'PASS' : 'FAIL'}`,
        '',
        '```json',
        JSON.stringify(report, null, 2),
        '```',
        '',
      ].join('\n'),
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await close();
    await receiver.close();
  }
}

function row(name: string, r: PhaseResult): string {
  return (
    `| ${name} | ${r.requests} | ${r.refused} | ${r.duplicatesAccepted} | ${r.missing} | ${r.inOrder ? 'yes' : 'NO'} ` +
    `| **${r.eventsPerSecond}** (${r.events} in ${r.deliverySeconds} s) | ${r.latencyMs.p50} / ${r.latencyMs.p95} ms |`
  );
}

function isAccepted(r: { answer: number | string }): boolean {
  return typeof r.answer === 'number' && r.answer >= 200 && r.answer < 300;
}

function deliveryOf(r: { headers: Record<string, unknown> }): string {
  return String(r.headers['x-switchboard-delivery']);
}

/** Resident memory of a process in MB (Linux). */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb ?? 0) / 1024);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

runBench(main);
