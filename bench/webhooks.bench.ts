/**
 * Webhook benchmark (issue: inbound, webhooks). One run against the local PostgreSQL
 * (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres; a fresh database is
 * created and dropped). The gateway runs as its own process (build/src/main.js) on the
 * sandbox engine; this process plays the contacts and the receiver.
 *
 *   1. live: BENCH_EVENTS (10,000) inbound messages go through POST …/sandbox/inbound (each is
 *      stored and its `message.received` delivery written in one transaction) while one
 *      receiver refuses 30 % of requests with a 500: every event must arrive, none twice
 *      among the accepted requests or in the log of successful attempts, in order of creation.
 *      Its rate is the inbound pipeline's (storage); the created → delivered latency shows
 *      whether the webhook keeps up;
 *   2. backlog: the same number of events queued while the receiver is down, then drained
 *      once it is back (still refusing 30 %): the delivery rate alone.
 */
import { waitFor } from '../test/support/wait';
import { WebhookReceiver } from '../test/support/webhook-receiver';
import { startBenchGateway } from './support/gateway';
import { runBench } from './support/run';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const FAIL_RATE = Number(process.env.BENCH_FAIL_RATE ?? 0.3);
const SENDERS = Number(process.env.BENCH_CONNECTIONS ?? 16);

interface PhaseResult {
  events: number;
  requests: number;
  refused: number;
  duplicatesAccepted: number;
  missing: number;
  inOrder: boolean;
  ingestSeconds: number;
  deliverySeconds: number;
  eventsPerSecond: number;
  /** From the delivery row's creation to its successful attempt, in ms. */
  latencyMs: { p50: number; p95: number; max: number };
}

async function main(): Promise<void> {
  const receiver = await WebhookReceiver.start();
  const { db, api, close } = await startBenchGateway({
    // Short backoff so refused requests are retried within the run (defaults: 10 s … 1 h).
    WEBHOOK_RETRY_BASE_MS: process.env.BENCH_RETRY_BASE_MS ?? '2',
    WEBHOOK_RETRY_MAX_MS: '200',
    WEBHOOK_POLL_INTERVAL_MS: '100',
    // A budget large enough that the backlog phase's outage gives nothing up.
    WEBHOOK_MAX_ATTEMPTS: '1000',
  });

  /** Sends `count` inbound texts with SENDERS requests in flight; returns the seconds it took. */
  const ingest = async (sessionId: string, phase: string, count: number): Promise<number> => {
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < count) {
          const i = next++;
          await api(`/api/sessions/${sessionId}/sandbox/inbound`, 'POST', { from: `1555061${String(i % 10_000).padStart(4, '0')}`, text: `${phase} ${i}` });
        }
      }),
    );
    return (Date.now() - started) / 1000;
  };

  /** Waits for every delivery of the webhook, then checks the receiver's log against the database. */
  const settle = async (webhookId: string, path: string, started: number, ingestSeconds: number): Promise<PhaseResult> => {
    await waitFor(async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'DELIVERED')::int AS done FROM webhook_delivery WHERE webhook_id = $1`,
        [webhookId],
      );
      return rows[0].total >= EVENTS && rows[0].done === rows[0].total;
    }, { timeout: 900_000, interval: 100, what: 'every delivery DELIVERED' });
    const deliverySeconds = (Date.now() - started) / 1000;
    const { rows } = await db.query(`SELECT id, seq FROM webhook_delivery WHERE webhook_id = $1 ORDER BY seq`, [webhookId]);
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
      await db.query(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95, max(ms) AS max
           FROM (SELECT extract(epoch FROM a.started_at - d.created_at) * 1000 AS ms
                   FROM webhook_delivery d JOIN webhook_delivery_attempt a ON a.delivery_id = d.id AND a.success
                  WHERE d.webhook_id = $1) x`,
        [webhookId],
      )
    ).rows[0];
    const seqOf = new Map(rows.map((r) => [r.id as string, Number(r.seq)]));
    const seqs = firstSeen.map((id) => seqOf.get(id) ?? -1);
    return {
      events: rows.length,
      requests: seen.length,
      refused: seen.length - accepted.length,
      duplicatesAccepted: accepted.length - unique.size,
      missing: rows.filter((r) => !unique.has(r.id)).length,
      inOrder: seqs.every((v, i) => i === 0 || v > seqs[i - 1]),
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

    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE success)::int AS ok, count(DISTINCT delivery_id) FILTER (WHERE success)::int AS distinct_ok FROM webhook_delivery_attempt`,
    );
    const ok = liveResult.missing === 0 && backlogResult.missing === 0 && rows[0].ok === rows[0].distinct_ok && liveResult.inOrder && backlogResult.inOrder;
    const report = { events: EVENTS, failRate: FAIL_RATE, senders: SENDERS, live: liveResult, backlog: backlogResult, attemptLog: rows[0], ok };
    process.stdout.write(
      [
        `## Webhooks benchmark (${new Date().toISOString()})`,
        '',
        `| phase (${EVENTS} inbound events, receiver refusing ${FAIL_RATE * 100} %) | requests | refused | delivered twice | missing | in order | events/s | created → delivered p50 / p95 |`,
        '|---|---|---|---|---|---|---|---|',
        row('live (ingest and delivery together)', liveResult),
        row('backlog drain (queued while down)', backlogResult),
        '',
        `Successful attempts logged: ${rows[0].ok} for ${rows[0].distinct_ok} deliveries. ${ok ? 'PASS' : 'FAIL'}`,
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

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

runBench(main);
