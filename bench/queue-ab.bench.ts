/**
 * Enqueue cost of this build against another checkout, side by side. Run as
 *   BENCH_BASELINE=/path/to/other/checkout npm run bench:queue-ab
 * (the other checkout built with `npx tsc -p tsconfig.json`, its `build/bench/bench-gateway.js`
 * present). Both gateways run at once on fresh databases of the local PostgreSQL and are loaded
 * in alternating short bursts (64 connections; the order flips every round), so whatever else
 * the machine does falls on both builds alike: on a shared 2-core machine one build measured
 * 1,500–3,100 req/s within the hour in sequential `bench:queue` runs, while the two builds' figures
 * in the same interleaved run stay within a few per cent of each other.
 *
 * For each build and route (`POST /api/messages/send` as in bench:queue, then `GET /api/health`):
 * requests per second over all bursts, the median burst p99, and the server's CPU time per
 * request: the whole process (GC and pool threads included) and its main (JavaScript) thread.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import type { BenchGateway } from './support/gateway';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const BURST_S = Number(process.env.BENCH_BURST_S ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);

/** CPU seconds (user + system) of a process, or of one of its threads, from /proc (Linux). */
function cpuSeconds(pid: number, thread?: number): number {
  const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
  const fields = stat.split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Build {
  name: string;
  gateway: BenchGateway;
  apiKey: string;
  sendBody: string;
}

interface Tally {
  requests: number;
  seconds: number;
  cpu: number;
  mainCpu: number;
  p99s: number[];
}

async function startBuild(name: string, root: string): Promise<Build> {
  // Each build starts its own server (build/src/main.js of that checkout) through its own helper.
  // The helper moved to bench/support/ later; an older checkout still has it at bench/bench-gateway.
  const helper = ['support/gateway.js', 'bench-gateway.js'].map((f) => join(root, 'build', 'bench', f)).find((f) => existsSync(f));
  if (!helper) throw new Error(`${root}: no compiled bench gateway helper (run tsc there first)`);
  const { startBenchGateway, BENCH_API_KEY } = require(helper) as typeof import('./support/gateway');
  const gateway = await startBenchGateway({ SANDBOX_RECEIPT_DELAY_MS: '0' });
  const sessionId = (await gateway.api('/api/sessions', 'POST', {})).session.sessionId;
  await gateway.api(`/api/sessions/${sessionId}/sandbox/link`, 'POST', { phoneNumber: '15550500001' });
  await gateway.api(`/api/sessions/${sessionId}/settings`, 'PATCH', { preset: 'off' });
  // Stopped, as in bench:queue: the API alone is measured; messages wait in the queue.
  await gateway.api(`/api/sessions/${sessionId}/stop`, 'POST');
  return { name, gateway, apiKey: BENCH_API_KEY, sendBody: JSON.stringify({ sessionId, to: '15550501234', type: 'text', text: 'Benchmark message' }) };
}

function burst(build: Build, route: 'send' | 'health', seconds: number) {
  return autocannon({
    url: `${build.gateway.server.url}${route === 'send' ? '/api/messages/send' : '/api/health'}`,
    connections: CONNECTIONS,
    duration: seconds,
    method: route === 'send' ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${build.apiKey}`, 'content-type': 'application/json' },
    body: route === 'send' ? build.sendBody : undefined,
  });
}

async function measure(builds: Build[], route: 'send' | 'health'): Promise<Map<Build, Tally>> {
  const tallies = new Map(builds.map((b) => [b, { requests: 0, seconds: 0, cpu: 0, mainCpu: 0, p99s: [] } as Tally]));
  for (const b of builds) await burst(b, route, WARMUP_S);
  for (let round = 0; round < ROUNDS; round++) {
    for (const b of round % 2 ? [...builds].reverse() : builds) {
      const pid = b.gateway.server.child.pid!;
      const [cpu0, main0] = [cpuSeconds(pid), cpuSeconds(pid, pid)];
      const result = await burst(b, route, BURST_S);
      const t = tallies.get(b)!;
      t.cpu += cpuSeconds(pid) - cpu0;
      t.mainCpu += cpuSeconds(pid, pid) - main0;
      t.requests += result.requests.total;
      t.seconds += BURST_S;
      t.p99s.push(result.latency.p99);
      if (result.non2xx || result.errors) throw new Error(`${b.name} ${route}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    }
  }
  return tallies;
}

const loadAverage = () => loadavg().map((v) => v.toFixed(2)).join(' ');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const baseline = process.env.BENCH_BASELINE;
  if (!baseline) throw new Error('Set BENCH_BASELINE to the checkout to compare with (built with npx tsc -p tsconfig.json)');
  const builds: Build[] = [];
  try {
    builds.push(await startBuild(`baseline (${baseline})`, resolve(baseline)));
    builds.push(await startBuild('this build', resolve(__dirname, '..', '..')));
    const loadBefore = loadAverage();
    const lines = [
      `## Queue A/B (${new Date().toISOString()}, ${ROUNDS} alternating ${BURST_S} s bursts per build and route, ${CONNECTIONS} connections)`,
      '',
      '| route | build | req/s | median burst p99 | CPU per request (process / main thread) |',
      '|---|---|---|---|---|',
    ];
    for (const route of ['send', 'health'] as const) {
      const tallies = await measure(builds, route);
      for (const [b, t] of tallies) {
        const us = (s: number) => `${Math.round((s * 1e6) / t.requests)} µs`;
        lines.push(`| ${route} | ${b.name} | ${Math.round(t.requests / t.seconds)} | ${median(t.p99s)} ms | ${us(t.cpu)} / ${us(t.mainCpu)} |`);
      }
    }
    lines.push('', `Load average (1 / 5 / 15 min): ${loadBefore} before, ${loadAverage()} after.`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const b of builds) await b.gateway.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
