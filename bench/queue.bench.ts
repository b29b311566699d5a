/**
 * Queue benchmark (issue: messaging). One run against the local PostgreSQL (DATABASE_URL,
 * default postgres://postgres@127.0.0.1:5432/postgres; a fresh database is created and dropped):
 *   1. enqueue throughput and latency of POST /api/messages/send next to GET /api/health on the
 *      same server process, 64 connections: the ratio is the figure (target ≥ 40 %, p99 < 50 ms);
 *   2. drain rate of the queue through the sandbox engine with no pacing (target ≥ 1,000 msg/s).
 * The server runs as its own process (build/src/main.js); the load comes from this process.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { BENCH_API_KEY as API_KEY, startBenchGateway } from './support/gateway';
import { runBench } from './support/run';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);

interface LoadResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

async function load(url: string, opts: { method?: 'GET' | 'POST'; body?: string }, duration = DURATION_S): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    method: opts.method ?? 'GET',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: opts.body,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const { server, db, api, close } = await startBenchGateway({
    SANDBOX_RECEIPT_DELAY_MS: '0',
    ...(process.env.BENCH_EXTRA_ENV ? JSON.parse(process.env.BENCH_EXTRA_ENV) : {}),
  });
  try {
    const sessionId = (await api('/api/sessions', 'POST', {})).session.sessionId;
    await api(`/api/sessions/${sessionId}/sandbox/link`, 'POST', { phoneNumber: '15550500001' });
    await api(`/api/sessions/${sessionId}/settings`, 'PATCH', { preset: 'off' });
    // Stopped: the enqueue phase measures the API alone; messages wait in the queue.
    await api(`/api/sessions/${sessionId}/stop`, 'POST');

    // Each endpoint is warmed up (JIT, pools, caches) before it is measured.
    const sendOpts = {
      method: 'POST' as const,
      body: JSON.stringify({ sessionId, to: '15550501234', type: 'text', text: 'Benchmark message' }),
    };
    await load(`${server.url}/api/health`, {}, WARMUP_S);
    const health = await load(`${server.url}/api/health`, {});
    await load(`${server.url}/api/messages/send`, sendOpts, WARMUP_S);
    const cpuBefore = cpuSeconds(server.child.pid);
    const send = await load(`${server.url}/api/messages/send`, sendOpts);
    const cpuAfter = cpuSeconds(server.child.pid);
    // The server's CPU time over the requests it served: the cost of one enqueue, less sensitive
    // to how busy the machine is than the request rate.
    const cpuPerSendUs = cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) * 1e6) / send.total);
    const ratio = send.rps / health.rps;

    const { rows } = await db.query(`SELECT count(*)::int AS n FROM message WHERE status = 'QUEUED'`);
    const queued: number = rows[0].n;
    const started = Date.now();
    await api(`/api/sessions/${sessionId}/start`, 'POST');
    let sent = 0;
    while (sent < queued && Date.now() - started < 300_000) {
      await new Promise((r) => setTimeout(r, 100));
      sent = (await db.query(`SELECT count(*)::int AS n FROM message WHERE status = 'SENT'`)).rows[0].n;
    }
    const drainSeconds = (Date.now() - started) / 1000;
    const drainRate = sent / drainSeconds;

    const report = {
      connections: CONNECTIONS,
      durationSeconds: DURATION_S,
      health,
      send,
      enqueueToHealthRatio: Number(ratio.toFixed(3)),
      serverCpuPerSendMicros: cpuPerSendUs,
      drain: { messages: sent, seconds: Number(drainSeconds.toFixed(2)), perSecond: Math.round(drainRate) },
    };
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    process.stdout.write(
      [
        `## Queue benchmark (${new Date().toISOString()})`,
        '',
        `| endpoint (${CONNECTIONS} connections, ${DURATION_S} s) | req/s | p50 | p90 | p99 | non-2xx |`,
        '|---|---|---|---|---|---|',
        `| GET /api/health | ${Math.round(health.rps)} | ${ms(health.p50)} | ${ms(health.p90)} | ${ms(health.p99)} | ${health.non2xx} |`,
        `| POST /api/messages/send | ${Math.round(send.rps)} | ${ms(send.p50)} | ${ms(send.p90)} | ${ms(send.p99)} | ${send.non2xx} |`,
        '',
        `Enqueue / health throughput: **${(ratio * 100).toFixed(1)} %** (target ≥ 40 %); enqueue p99 **${ms(send.p99)}** (target < 50 ms).`,
        `Server CPU per enqueue: **${cpuPerSendUs ?? 'n/a'} µs**.`,
        `Drain through the sandbox engine, no pacing: **${Math.round(drainRate)} messages/s** (${sent} messages in ${drainSeconds.toFixed(1)} s; target ≥ 1,000).`,
        '',
        '```json',
        JSON.stringify(report, null, 2),
        '```',
        '',
      ].join('\n'),
    );
  } finally {
    await close();
  }
}

runBench(main);
