/**
 * Queue benchmark. One run against the local PostgreSQL (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; a fresh database is created and dropped):
 *   1. enqueue throughput and latency of POST /api/messages/send next to GET /api/health on the
 *      same server process, one after the other, BENCH_CONNECTIONS (64) connections, each warmed up
 *      for BENCH_WARMUP_S (3) and measured for BENCH_DURATION_S (10) seconds. Targets: enqueue p99
 *      < 30 ms at 64 connections while enqueue holds ≥ 85 % of health's throughput in the same run;
 *   2. drain rate of the queue through the sandbox engine with no pacing (target ≥ 1,000 msg/s).
 * The server runs as its own process (build/src/main.js); the load comes from this process. While
 * each endpoint is measured, the server reports its event-loop delay and GC pauses
 * (support/server-probe), and the machine's load average is printed next to the figures.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { BENCH_API_KEY as API_KEY, startBenchGateway } from './support/gateway';
import { runBench } from './support/run';
import type { ServerProbeFigures } from './support/server-probe';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
/** The enqueue targets: p99 below this at 64 connections, and this share of health's throughput. */
const TARGET_P99_MS = 30;
const TARGET_RATIO = 0.85;

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

const loadAverage = () => loadavg().map((v) => v.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const probeDir = mkdtempSync(join(tmpdir(), 'sb-bench-probe-'));
  const probeFile = join(probeDir, 'figures.json');
  const { server, db, api, close } = await startBenchGateway(
    {
      SANDBOX_RECEIPT_DELAY_MS: '0',
      BENCH_PROBE_FILE: probeFile,
      ...(process.env.BENCH_EXTRA_ENV ? JSON.parse(process.env.BENCH_EXTRA_ENV) : {}),
    },
    { preload: join(__dirname, 'support', 'server-probe.js') },
  );
  /** Runs `measure` between the server probe's start and stop signals; its figures with the result. */
  const probed = async <T>(measure: () => Promise<T>): Promise<[T, ServerProbeFigures | null]> => {
    rmSync(probeFile, { force: true });
    server.child.kill('SIGWINCH');
    const result = await measure();
    server.child.kill('SIGWINCH');
    for (let i = 0; i < 50 && !existsSync(probeFile); i++) await new Promise((r) => setTimeout(r, 20));
    return [result, existsSync(probeFile) ? (JSON.parse(readFileSync(probeFile, 'utf8')) as ServerProbeFigures) : null];
  };
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
    const [health, healthProbe] = await probed(() => load(`${server.url}/api/health`, {}));
    await load(`${server.url}/api/messages/send`, sendOpts, WARMUP_S);
    const cpuBefore = cpuSeconds(server.child.pid);
    const [send, sendProbe] = await probed(() => load(`${server.url}/api/messages/send`, sendOpts));
    const cpuAfter = cpuSeconds(server.child.pid);
    const loadAfterEnqueue = loadAverage();
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

    const p99Met = send.p99 < TARGET_P99_MS;
    const ratioMet = ratio >= TARGET_RATIO;
    const report = {
      connections: CONNECTIONS,
      durationSeconds: DURATION_S,
      loadAverage: { before: loadBefore, afterEnqueue: loadAfterEnqueue, end: loadAverage() },
      health,
      send,
      enqueueP99Ms: send.p99,
      enqueueToHealthRatio: Number(ratio.toFixed(3)),
      targets: { enqueueP99Ms: TARGET_P99_MS, enqueueToHealthRatio: TARGET_RATIO, p99Met, ratioMet },
      serverCpuPerSendMicros: cpuPerSendUs,
      server: { health: healthProbe, send: sendProbe },
      drain: { messages: sent, seconds: Number(drainSeconds.toFixed(2)), perSecond: Math.round(drainRate) },
    };
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const met = (ok: boolean) => (ok ? 'met' : '**not met**');
    const probeRow = (name: string, p: ServerProbeFigures | null) =>
      p
        ? `| ${name} | ${ms(p.loopDelay.p50)} / ${ms(p.loopDelay.p99)} / ${ms(p.loopDelay.max)} | ${(p.gc.share * 100).toFixed(1)} % | ${p.gc.count} | ${ms(p.gc.maxMs)} | ${Object.entries(p.gc.byKind).map(([k, v]) => `${k} ${v.count} × ${ms(v.totalMs / v.count)} (max ${ms(v.maxMs)})`).join(', ')} |`
        : `| ${name} | n/a | | | | |`;
    process.stdout.write(
      [
        `## Queue benchmark (${new Date().toISOString()})`,
        '',
        `Load average (1 / 5 / 15 min): ${loadBefore} before, ${loadAfterEnqueue} after the enqueue phase.`,
        '',
        `| endpoint (${CONNECTIONS} connections, ${DURATION_S} s) | req/s | p50 | p90 | p99 | non-2xx |`,
        '|---|---|---|---|---|---|',
        `| GET /api/health | ${Math.round(health.rps)} | ${ms(health.p50)} | ${ms(health.p90)} | ${ms(health.p99)} | ${health.non2xx} |`,
        `| POST /api/messages/send | ${Math.round(send.rps)} | ${ms(send.p50)} | ${ms(send.p90)} | ${ms(send.p99)} | ${send.non2xx} |`,
        '',
        `Enqueue p99 at ${CONNECTIONS} connections: **${ms(send.p99)}** (target < ${TARGET_P99_MS} ms: ${met(p99Met)}).`,
        `Enqueue / health throughput, same run: **${(ratio * 100).toFixed(1)} %** (target ≥ ${TARGET_RATIO * 100} %: ${met(ratioMet)}).`,
        `Server CPU per enqueue: **${cpuPerSendUs ?? 'n/a'} µs**.`,
        `Drain through the sandbox engine, no pacing: **${Math.round(drainRate)} messages/s** (${sent} messages in ${drainSeconds.toFixed(1)} s; target ≥ 1,000).`,
        '',
        '| server while measured | event-loop delay p50 / p99 / max | time in GC | GC pauses | longest | by kind (count × mean) |',
        '|---|---|---|---|---|---|',
        probeRow('GET /api/health', healthProbe),
        probeRow('POST /api/messages/send', sendProbe),
        '',
        '```json',
        JSON.stringify(report, null, 2),
        '```',
        '',
      ].join('\n'),
    );
  } finally {
    await close();
    rmSync(probeDir, { recursive: true, force: true });
  }
}

runBench(main);
