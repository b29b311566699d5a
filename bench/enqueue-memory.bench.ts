/**
 * Enqueue memory soak: is the RSS growth of the gateway under the enqueue load (`bench:queue`'s
 * POST /api/messages/send at 64 connections, messages waiting in the queue of a stopped
 * sandbox session) warm-up or a leak? The gateway runs with its inspector open; every
 * BENCH_SAMPLE_S seconds the bench reads its RSS as the kernel sees it, then forces a full
 * garbage collection and reads RSS and heap again. A heap snapshot after the warm-up and one at
 * the end are compared by live objects per constructor.
 *
 *   npm run bench:enqueue-memory        env: BENCH_CONNECTIONS (64), BENCH_SOAK_S (60), BENCH_SAMPLE_S (5),
 *                                       BENCH_HEAP_SNAPSHOTS (1; 0: none), BENCH_EXTRA_ENV (JSON, gateway env)
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { BENCH_API_KEY, startBenchGateway } from './support/gateway';
import { growth, inspectArgs, kernelRssMb, openHeapProbe, slopePerMinute, type MemorySample } from './support/heap-probe';
import { runBench } from './support/run';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SOAK_S = Number(process.env.BENCH_SOAK_S ?? 60);
const SAMPLE_S = Number(process.env.BENCH_SAMPLE_S ?? 5);
/** 0: no heap snapshots (taking one inflates the process's RSS by itself). */
const SNAPSHOTS = process.env.BENCH_HEAP_SNAPSHOTS !== '0';
const EXTRA_ENV: Record<string, string> = process.env.BENCH_EXTRA_ENV ? JSON.parse(process.env.BENCH_EXTRA_ENV) : {};

async function main(): Promise<void> {
  const inspect = await inspectArgs();
  const { server, db, api, close } = await startBenchGateway({ SANDBOX_RECEIPT_DELAY_MS: '0', ...EXTRA_ENV }, { nodeArgs: inspect.nodeArgs });
  const probe = await openHeapProbe(inspect.port);
  try {
    const sessionId = (await api('/api/sessions', 'POST', {})).session.sessionId;
    await api(`/api/sessions/${sessionId}/sandbox/link`, 'POST', { phoneNumber: '15550500001' });
    await api(`/api/sessions/${sessionId}/settings`, 'PATCH', { preset: 'off' });
    await api(`/api/sessions/${sessionId}/stop`, 'POST');
    const body = JSON.stringify({ sessionId, to: '15550501234', type: 'text', text: 'Benchmark message' });
    const load = (duration: number) =>
      autocannon({
        url: `${server.url}/api/messages/send`,
        connections: CONNECTIONS,
        duration,
        method: 'POST',
        headers: { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' },
        body,
      });

    const idle = await probe.sample();
    const idleKernel = kernelRssMb(server.child.pid);
    // A short warm-up (JIT, pools, V8's heap sizing) before the baseline snapshot.
    await load(5);
    const baseline = SNAPSHOTS ? await probe.objectCounts() : new Map();
    const samples: (MemorySample & { kernelRssMb: number })[] = [];
    let running = true;
    const sampler = (async () => {
      while (running) {
        const kernel = kernelRssMb(server.child.pid);
        samples.push({ ...(await probe.sample()), kernelRssMb: kernel });
        await new Promise((r) => setTimeout(r, SAMPLE_S * 1000));
      }
    })();
    const result = await load(SOAK_S);
    running = false;
    await sampler;
    const queued = (await db.query(`SELECT count(*)::int AS n FROM message WHERE status = 'QUEUED'`)).rows[0].n as number;
    // Ten idle seconds after the load: what the process keeps.
    await new Promise((r) => setTimeout(r, 10_000));
    const after = { ...(await probe.sample()), kernelRssMb: kernelRssMb(server.child.pid) };
    const end = SNAPSHOTS ? await probe.objectCounts() : new Map();

    const half = samples.filter((s) => s.t >= samples[0].t + (samples[samples.length - 1].t - samples[0].t) / 2);
    const lines = [
      `## Enqueue memory soak (${new Date().toISOString()}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`,
      '',
      `${CONNECTIONS} connections POST /api/messages/send for ${SOAK_S} s${SNAPSHOTS ? '' : ', no heap snapshots'}${Object.keys(EXTRA_ENV).length ? `, ${JSON.stringify(EXTRA_ENV)}` : ''}: ${Math.round(result.requests.average)} req/s, ${queued} messages queued, ${result.non2xx} non-2xx.`,
      `Idle: RSS ${idleKernel} MB (${idle.rssMb} after GC), heap after GC ${idle.heapUsedMb} MB.`,
      '',
      '| t (s) | RSS, no GC (MB) | RSS after GC (MB) | heap used after GC (MB) | heap total (MB) | external (MB) |',
      '|---|---|---|---|---|---|',
      ...samples.map((s) => `| ${s.t} | ${s.kernelRssMb} | ${s.rssMb} | ${s.heapUsedMb} | ${s.heapTotalMb} | ${s.externalMb} |`),
      `| 10 s after the load | ${after.kernelRssMb} | ${after.rssMb} | ${after.heapUsedMb} | ${after.heapTotalMb} | ${after.externalMb} |`,
      '',
      `Second half slope: RSS ${slopePerMinute(half.map((s) => ({ t: s.t, y: s.kernelRssMb })))} MB/min, heap after GC ${slopePerMinute(half.map((s) => ({ t: s.t, y: s.heapUsedMb })))} MB/min.`,
      '',
      ...(SNAPSHOTS
        ? [
            'Live objects that grew most between the snapshot after warm-up and the one at the end:',
            '',
            '| constructor / type | count after warm-up | count at end | bytes grown |',
            '|---|---|---|---|',
            ...growth(baseline, end).map((g) => `| ${g.name} | ${g.before} | ${g.after} | ${g.bytesDelta} |`),
            '',
          ]
        : []),
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    probe.close();
    await close();
  }
}

runBench(main);
