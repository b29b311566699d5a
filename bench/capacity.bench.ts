/**
 * Capacity benchmark: how many linked sessions one gateway process holds, how fast they come
 * back after a restart, and whether its memory stays flat under traffic. Real Baileys in the
 * gateway, the loopback WhatsApp simulator (test/wa-sim) in a process of its own, PostgreSQL
 * (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres; a fresh database).
 *
 *   1. Link BENCH_SESSIONS (200) sessions by QR, BENCH_LINK_CONCURRENCY (1) at a time; memory
 *      per session = (RSS after linking − RSS before) / N, both after a forced full GC.
 *   2. Restart (SIGTERM, start again): seconds from the new process's start until every
 *      session is READY, with the simulator's view of it: handshakes in flight at once (peak)
 *      and begun per second (peak). SESSION_RESTORE_CONCURRENCY, when set, goes to the gateway;
 *      BENCH_HANDSHAKE_DELAY_MS (0) makes the simulator answer each login that late.
 *   3. Soak for BENCH_SOAK_S (600) seconds: BENCH_SOAK_RATE (10) messages per second sent through
 *      POST /api/messages/send, round robin over the sessions (each to a contact of its own),
 *      and BENCH_INBOUND_RATE (5) per second from other contacts to the sessions; every
 *      BENCH_SAMPLE_S (5) seconds the gateway's RSS (kernel), then RSS and heap after a forced GC
 *      (through its inspector). Reports start, peak and end, and the slope over the second half.
 *
 *   npm run bench:capacity                                       (BENCH_PROFILE_DIR: CPU profile of the restarted gateway;
 *                                                                BENCH_HEAP_SNAPSHOTS=1: live objects grown over the soak)
 *   BENCH_SESSIONS=50 BENCH_SOAK_S=60 npm run bench:capacity      (a quick run)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startServerProcess, type ServerProcess } from '../test/support/server-process';
import { createTestDatabase } from '../test/support/test-database';
import { waitFor } from '../test/support/wait';
import { BENCH_API_KEY } from './support/gateway';
import { growth, inspectArgs, kernelRssMb, openHeapProbe, slopePerMinute, type HeapProbe, type MemorySample } from './support/heap-probe';
import { runBench } from './support/run';
import { callJson, simulatorGatewayEnv, startSimulatorProcess, type SimInfo } from './support/simulator';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 200);
// One link at a time by default: each new link generates and stores 812 pre-keys, and several
// at once on a loaded 2-core machine delayed lease renewals past their validity (see
// docs/benchmarks.md); the figure is the lease acquisitions reported below.
const LINK_CONCURRENCY = Number(process.env.BENCH_LINK_CONCURRENCY ?? 1);
const SOAK_S = Number(process.env.BENCH_SOAK_S ?? 600);
const SOAK_RATE = Number(process.env.BENCH_SOAK_RATE ?? 10);
const INBOUND_RATE = Number(process.env.BENCH_INBOUND_RATE ?? 5);
const SAMPLE_S = Number(process.env.BENCH_SAMPLE_S ?? 5);
const HANDSHAKE_DELAY_MS = Number(process.env.BENCH_HANDSHAKE_DELAY_MS ?? 0);
const RESTORE_CONCURRENCY = process.env.SESSION_RESTORE_CONCURRENCY;
/** 1: heap snapshots before and after the soak, compared by live objects (heavy: small N only). */
const SNAPSHOTS = process.env.BENCH_HEAP_SNAPSHOTS === '1';
/** A directory: the restarted gateway (restore and soak) writes a V8 CPU profile there on exit. */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;


interface HandshakeStats {
  inFlight: number;
  peakInFlight: number;
  started: number;
  completed: number;
  peakPerSecond: number;
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const round = (v: number) => Math.round(v * 10) / 10;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`[capacity] ${new Date().toISOString().slice(11, 19)} ${line}\n`);



/** Runs `work` for every item, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

/**
 * Calls `fire(k)` `rate` times per second until `stop()` is true, on a fixed schedule (a slow
 * answer does not slow the rate down); resolves once every call fired has settled.
 */
async function steady(rate: number, stop: () => boolean, fire: (k: number) => Promise<void>): Promise<{ fired: number; failed: number }> {
  const pending = new Set<Promise<void>>();
  let fired = 0;
  let failed = 0;
  if (rate <= 0) return { fired, failed };
  const t0 = Date.now();
  while (!stop()) {
    const due = t0 + (fired * 1000) / rate;
    if (due > Date.now()) {
      await pause(Math.min(due - Date.now(), 200));
      continue;
    }
    const p = fire(fired++).catch(() => void (failed += 1));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }
  await Promise.all(pending);
  return { fired, failed };
}

async function main(): Promise<void> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  const { info: sim, child: simChild } = await startSimulatorProcess(HANDSHAKE_DELAY_MS ? ['--handshake-delay-ms', String(HANDSHAKE_DELAY_MS)] : []);
  const database = await createTestDatabase('postgres');
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-capacity-'));
  const env = {
    ...simulatorGatewayEnv(sim, database.url, dataDir),
    ...(RESTORE_CONCURRENCY ? { SESSION_RESTORE_CONCURRENCY: RESTORE_CONCURRENCY } : {}),
  };
  const preload = join(__dirname, '..', 'test', 'wa-sim', 'preload.js');
  const start = async (profile = false): Promise<{ gateway: ServerProcess; probe: HeapProbe }> => {
    const inspect = await inspectArgs();
    const nodeArgs = [...inspect.nodeArgs, ...(profile && PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])];
    const gateway = await startServerProcess(env, { preload, nodeArgs, timeoutMs: 60_000 });
    return { gateway, probe: await openHeapProbe(inspect.port) };
  };
  let { gateway, probe } = await start();
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const ready = async () => (await db.query(`SELECT count(*)::int AS n FROM session WHERE status = 'READY'`)).rows[0].n as number;
  // Every lease acquisition increments its token: more than one per session and phase means
  // sessions were dropped (a lease not renewed in time) and connected again.
  const acquisitions = async () => Number((await db.query(`SELECT coalesce(sum(token), 0)::int AS n FROM session_lease`)).rows[0].n);
  const acquired: number[] = [];
  const loads: string[] = [loadavg()];
  try {
    // 1. Link.
    const idle = await probe.sample();
    const phones = Array.from({ length: SESSIONS }, (_, i) => `1555${String(i).padStart(7, '0')}`);
    const contacts = phones.map((_, i) => `1666${String(i).padStart(7, '0')}`);
    // Inbound comes from other contacts than the ones the sessions write to: two parties that
    // open a Signal session to each other at the same moment is a case of its own.
    const senders = phones.map((_, i) => `1777${String(i).padStart(7, '0')}`);
    const linkStart = Date.now();
    await eachLimited(phones, LINK_CONCURRENCY, async (phone) => {
      const { session } = await callJson(`${gateway.url}/api/sessions`, 'POST', { name: phone });
      const { qr } = await callJson(`${gateway.url}/api/sessions/${session.sessionId}/qr`);
      await callJson(`${sim.controlUrl}/scan`, 'POST', { qr, phoneNumber: phone }, false);
    });
    await waitFor(async () => (await ready()) === SESSIONS, { timeout: 120_000 + SESSIONS * 1000, interval: 250, what: `${SESSIONS} sessions READY` });
    const linkSeconds = (Date.now() - linkStart) / 1000;
    log(`linked ${SESSIONS} in ${round(linkSeconds)} s`);
    await pause(5000);
    const linked = await probe.sample();
    loads.push(loadavg());
    acquired.push(await acquisitions());

    // 2. Restart.
    probe.close();
    await gateway.stop();
    await callJson(`${sim.controlUrl}/handshakes`, 'DELETE', undefined, false);
    const restoreStart = Date.now();
    ({ gateway, probe } = await start(true));
    const upSeconds = (Date.now() - restoreStart) / 1000;
    await waitFor(async () => (await ready()) === SESSIONS, { timeout: 120_000 + SESSIONS * 1000, interval: 100, what: `${SESSIONS} sessions restored` });
    const restoreSeconds = (Date.now() - restoreStart) / 1000;
    const handshakes = (await callJson(`${sim.controlUrl}/handshakes`, 'GET', undefined, false)) as HandshakeStats;
    log(`restored in ${round(restoreSeconds)} s (${JSON.stringify(handshakes)})`);
    await pause(5000);
    const restored = await probe.sample();
    loads.push(loadavg());
    acquired.push(await acquisitions());

    // 3. Soak with traffic.
    for (const phone of senders) await callJson(`${sim.controlUrl}/contacts`, 'POST', { phoneNumber: phone }, false).catch(() => undefined);
    const beforeSoak = SNAPSHOTS ? await probe.objectCounts() : null;
    const samples: (MemorySample & { kernelRssMb: number })[] = [];
    const soakStart = Date.now();
    const over = () => Date.now() - soakStart >= SOAK_S * 1000;
    const sampler = (async () => {
      while (!over()) {
        const kernel = kernelRssMb(gateway.child.pid);
        samples.push({ ...(await probe.sample()), kernelRssMb: kernel });
        await pause(SAMPLE_S * 1000);
      }
    })();
    const [outbound, inbound] = await Promise.all([
      steady(SOAK_RATE, over, async (k) => {
        const i = k % SESSIONS;
        await callJson(`${gateway.url}/api/messages/send`, 'POST', { sessionId: phones[i], to: contacts[i], type: 'text', text: `soak ${k}` });
      }),
      steady(INBOUND_RATE, over, async (k) => {
        const i = (k * 7) % SESSIONS;
        await callJson(`${sim.controlUrl}/contacts/${senders[i]}/send`, 'POST', { to: phones[i], text: `inbound ${k}` }, false);
      }),
    ]);
    await sampler;
    loads.push(loadavg());
    // Reported either way: a queue that did not drain in two minutes is a figure too.
    const drained = await waitFor(
      async () => (await db.query(`SELECT count(*)::int AS n FROM message WHERE direction = 'outbound' AND status IN ('QUEUED', 'SENDING')`)).rows[0].n === 0,
      { timeout: 120_000, interval: 250, what: 'the outbound queue drained' },
    ).then(
      () => true,
      () => false,
    );
    const counts = (
      await db.query(
        `SELECT count(*) FILTER (WHERE direction = 'outbound' AND sent_at IS NOT NULL)::int AS sent,
                count(*) FILTER (WHERE direction = 'outbound' AND status = 'FAILED')::int AS failed,
                count(*) FILTER (WHERE direction = 'inbound')::int AS inbound
           FROM message`,
      )
    ).rows[0] as { sent: number; failed: number; inbound: number };
    const end = { ...(await probe.sample()), kernelRssMb: kernelRssMb(gateway.child.pid) };
    acquired.push(await acquisitions());
    const grown = beforeSoak ? growth(beforeSoak, await probe.objectCounts(), 25) : [];

    const first = samples[0];
    const lastT = samples[samples.length - 1].t;
    const half = samples.filter((s) => s.t >= first.t + (lastT - first.t) / 2);
    const peak = (key: 'kernelRssMb' | 'rssMb' | 'heapUsedMb') => Math.max(...samples.map((s) => s[key]));
    const slope = (key: 'kernelRssMb' | 'rssMb' | 'heapUsedMb') => slopePerMinute(half.map((s) => ({ t: s.t, y: s[key] })));
    const perSession = (mb: number) => round(mb / SESSIONS);
    process.stdout.write(
      [
        `## Capacity benchmark (${new Date().toISOString()})`,
        '',
        `${SESSIONS} sessions, real Baileys against the simulator in its own process${HANDSHAKE_DELAY_MS ? ` (logins answered ${HANDSHAKE_DELAY_MS} ms late)` : ''}; ` +
          `SESSION_RESTORE_CONCURRENCY ${RESTORE_CONCURRENCY ?? 'default'}; load average (1/5/15 min) before ${loads[0]}, after linking ${loads[1]}, after restore ${loads[2]}, after the soak ${loads[3]}.`,
        '',
        '| phase | figure |',
        '|---|---|',
        `| link ${SESSIONS} (${LINK_CONCURRENCY} at a time) | ${round(linkSeconds)} s |`,
        `| RSS idle → linked (after GC) | ${idle.rssMb} → ${linked.rssMb} MB: **${round((linked.rssMb - idle.rssMb) / SESSIONS)} MB per session** (${perSession(linked.rssMb)} MB per session all in); heap ${idle.heapUsedMb} → ${linked.heapUsedMb} MB |`,
        `| restore after restart | **${round(restoreSeconds)} s** to all READY (process up after ${round(upSeconds)} s) |`,
        `| simulator during restore | ${handshakes.started} handshakes, **${handshakes.peakInFlight} in flight at most**, ${handshakes.peakPerSecond} begun in one second at most |`,
        `| RSS after restore (after GC) | ${restored.rssMb} MB (${perSession(restored.rssMb)} MB per session all in); heap ${restored.heapUsedMb} MB |`,
        `| soak | ${SOAK_S} s, ${outbound.fired} sent through the API (${outbound.failed} refused), ${inbound.fired} inbound (${inbound.failed} refused); ${counts.sent} SENT, ${counts.failed} FAILED, ${counts.inbound} inbound stored${drained ? '' : '; the queue had not drained two minutes after the soak'} |`,
        `| lease acquisitions (linking / restore / soak) | ${acquired[0]} / ${acquired[1] - acquired[0]} / ${acquired[2] - acquired[1]} (${SESSIONS} / ${SESSIONS} / 0 when no session was dropped and taken again) |`,
        `| soak RSS (kernel) start / peak / end | ${first.kernelRssMb} / ${peak('kernelRssMb')} / ${end.kernelRssMb} MB; second half **${slope('kernelRssMb')} MB/min** |`,
        `| soak RSS after GC start / peak / end | ${first.rssMb} / ${peak('rssMb')} / ${end.rssMb} MB; second half ${slope('rssMb')} MB/min |`,
        `| soak heap after GC start / peak / end | ${first.heapUsedMb} / ${peak('heapUsedMb')} / ${end.heapUsedMb} MB; second half **${slope('heapUsedMb')} MB/min** |`,
        '',
        '<details><summary>samples (t s: RSS kernel / RSS after GC / heap after GC / external, MB)</summary>',
        '',
        samples.map((s) => `${s.t}: ${s.kernelRssMb} / ${s.rssMb} / ${s.heapUsedMb} / ${s.externalMb}`).join('  \n'),
        '',
        '</details>',
        '',
        ...(grown.length
          ? [
              'Live objects that grew most over the soak (heap snapshots before it and after the queue drained):',
              '',
              '| constructor / type | before | after | bytes grown |',
              '|---|---|---|---|',
              ...grown.map((g) => `| ${g.name} | ${g.before} | ${g.after} | ${g.bytesDelta} |`),
              '',
            ]
          : []),
      ].join('\n'),
    );
  } finally {
    probe.close();
    await db.end();
    await gateway.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    simChild.kill('SIGTERM');
  }
}

runBench(main);
