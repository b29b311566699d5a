/**
 * Replicas benchmark: do two replicas send more than one? Target: two replicas deliver
 * ≥ 1.7× one replica's send throughput on the same machine class, both measured in one run.
 *
 * For each engine in BENCH_REPLICA_ENGINES (default `baileys,sandbox`): replicas as separate
 * processes on one fresh PostgreSQL database (NODE_ID, NODE_URL, SESSION_LEASE_TTL_MS, as in the
 * cluster e2e spec). `baileys`: real Baileys against the loopback simulator (its own process);
 * `sandbox`: the built-in sandbox engine, no simulator, so the gateway and Postgres alone.
 * BENCH_REPLICA_SESSIONS (20) sessions are linked on replica `a`; then, each phase sending the
 * same load (BENCH_REPLICA_MESSAGES per session, BENCH_REPLICA_SANDBOX_MESSAGES with the sandbox,
 * one contact per session, BENCH_REPLICA_CONCURRENCY (32) POSTs in flight, spread over the
 * running replicas' HTTP ports):
 *
 *   1. one replica, unpinned (the OS may run it on either core);
 *   2. one replica pinned to core 0 (`taskset -a -cp 0`);
 *   3. replica `b` joins pinned to core 1; the sessions rebalance until GET /api/cluster shows
 *      an even split and every session is READY again; two replicas, one core each;
 *   4. the same two replicas unpinned;
 *   5. `b` stops (SIGTERM hands its sessions back to `a`): one replica, unpinned, again (the
 *      drift of the shared machine between the first and the last phase).
 *
 * The simulator, Postgres and this load generator are never pinned: they share both cores with
 * the replicas. A phase's rate comes from the gateway's rows: messages SENT over the time from
 * the phase's first accepted message (`created_at`) to its last `sent_at`. Before each phase
 * every session sends BENCH_REPLICA_WARMUP messages unmeasured (the first message to a contact
 * sets up its Signal session; a replica that just joined warms up its JIT). Each phase also
 * reports the CPU each process used, in % of one core, to show what limits the rate, and the CPU
 * milliseconds each part spent per sent message: on a machine others load too, the rate follows
 * the scheduler's share, while the CPU cost per message (replicas together, simulator, Postgres)
 * shows whether a second replica adds overhead.
 */
import { cpus, totalmem } from 'node:os';
import { Client } from 'pg';
import { waitFor } from '../test/support/wait';
import type { ServerProcess } from '../test/support/server-process';
import {
  ALL_CPUS,
  cpuSeconds,
  loadAverage,
  machineTicks,
  pin,
  startBenchCluster,
  type BenchCluster,
} from './support/cluster';
import { callJson, SIMULATOR_PRELOAD, startSimulatorProcess, type SimInfo } from './support/simulator';
import { runBench } from './support/run';

const ENGINES = (process.env.BENCH_REPLICA_ENGINES ?? 'baileys,sandbox').split(',') as ('baileys' | 'sandbox')[];
const SESSIONS = Number(process.env.BENCH_REPLICA_SESSIONS ?? 20);
const MESSAGES = Number(process.env.BENCH_REPLICA_MESSAGES ?? 30);
/** The sandbox sends far faster: more messages, so a phase lasts long enough to measure. */
const SANDBOX_MESSAGES = Number(process.env.BENCH_REPLICA_SANDBOX_MESSAGES ?? 100);
const WARMUP = Number(process.env.BENCH_REPLICA_WARMUP ?? 2);
const CONCURRENCY = Number(process.env.BENCH_REPLICA_CONCURRENCY ?? 32);
const TTL_MS = 4_000;

interface Phase {
  label: string;
  sent: number;
  failed: number;
  /** From the first accepted message to the last. */
  acceptedSeconds: number;
  /** From the first accepted message to the last SENT. */
  seconds: number;
  rate: number;
  /** CPU used during the phase, % of one core. */
  cpu: Record<string, number>;
  /** CPU milliseconds per sent message: every replica together, the simulator, Postgres. */
  perMessage: { replicas: number; simulator: number | null; postgres: number };
  load: string;
}

interface Target {
  sessionId: string;
  contact: string;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** Pids of the Postgres backends serving this database (they come and go with the pools). */
async function backendPids(db: Client): Promise<number[]> {
  const { rows } = await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  return rows.map((r: { pid: number }) => r.pid);
}

function cpuOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      out.set(pid, cpuSeconds(pid));
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * POSTs `perSession` messages for every session, round robin over the sessions and over `urls`,
 * CONCURRENCY requests in flight: the queue fills faster than it drains, so the phase measures
 * sending, not how fast one client per session can wait for its answers.
 */
async function sendLoad(urls: string[], targets: Target[], perSession: number, tag: string): Promise<void> {
  const jobs: { t: Target; m: number }[] = [];
  for (let m = 0; m < perSession; m++) for (const t of targets) jobs.push({ t, m });
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const k = next++;
        const { t, m } = jobs[k];
        await callJson(`${urls[k % urls.length]}/api/messages/send`, 'POST', { sessionId: t.sessionId, to: t.contact, type: 'text', text: `${tag} ${m}` });
      }
    }),
  );
}

/** Sends `perSession` messages per session through `urls` and waits until each is SENT or FAILED. */
async function phase(cluster: BenchCluster, label: string, nodes: string[], targets: Target[], extra: Record<string, number>, messages: number): Promise<Phase> {
  const urls = nodes.map((n) => cluster.replicas.get(n)!.url);
  // Warm-up, unmeasured.
  const [{ t: warmFrom }] = (await cluster.db.query(`SELECT clock_timestamp() AS t`)).rows;
  await sendLoad(urls, targets, WARMUP, 'warm-up');
  await waitDone(cluster.db, warmFrom, targets.length * WARMUP);

  const [{ t: from }] = (await cluster.db.query(`SELECT clock_timestamp() AS t`)).rows;
  const pids: Record<string, number> = { ...extra };
  for (const n of nodes) pids[`replica ${n}`] = cluster.replicas.get(n)!.child.pid!;
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const selfBefore = process.cpuUsage();
  const pgBefore = cpuOf(await backendPids(cluster.db));
  const machineBefore = machineTicks();
  const started = Date.now();

  const total = targets.length * messages;
  await sendLoad(urls, targets, messages, label);
  await waitDone(cluster.db, from, total);

  const wall = (Date.now() - started) / 1000;
  const cpu: Record<string, number> = {};
  const used: Record<string, number> = {};
  for (const [k, pid] of Object.entries(pids)) {
    used[k] = cpuSeconds(pid) - before[k];
    cpu[k] = Math.round((used[k] / wall) * 100);
  }
  const self = process.cpuUsage(selfBefore);
  cpu['load generator'] = Math.round(((self.user + self.system) / 1e6 / wall) * 100);
  const pgAfter = cpuOf(await backendPids(cluster.db));
  let pg = 0;
  for (const [pid, s] of pgAfter) pg += s - (pgBefore.get(pid) ?? 0);
  cpu['postgres (this database)'] = Math.round((pg / wall) * 100);
  const machineAfter = machineTicks();
  // Busy share of the whole machine (both cores, everybody's work), in % of one core.
  cpu['machine'] = Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 2 * 100);

  const { rows } = await cluster.db.query(
    `SELECT count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent, count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
            extract(epoch FROM max(sent_at) - min(created_at))::float8 AS seconds,
            extract(epoch FROM max(created_at) - min(created_at))::float8 AS accepted
       FROM message WHERE direction = 'outbound' AND created_at >= $1`,
    [from],
  );
  const r = rows[0] as { sent: number; failed: number; seconds: number; accepted: number };
  const ms = (seconds: number) => round((seconds * 1000) / r.sent);
  const replicaSeconds = nodes.reduce((sum, n) => sum + used[`replica ${n}`], 0);
  const perMessage = { replicas: ms(replicaSeconds), simulator: 'simulator' in used ? ms(used.simulator) : null, postgres: ms(pg) };
  const result = {
    label,
    sent: r.sent,
    failed: r.failed,
    acceptedSeconds: round(r.accepted),
    seconds: round(r.seconds),
    rate: round(r.sent / r.seconds),
    cpu,
    perMessage,
    load: loadAverage(),
  };
  process.stderr.write(`[bench] ${label}: ${JSON.stringify(result)}\n`);
  return result;
}

async function waitDone(db: Client, from: Date, total: number): Promise<void> {
  await waitFor(
    async () =>
      (
        await db.query(
          `SELECT count(*)::int AS n FROM message WHERE direction = 'outbound' AND created_at >= $1 AND (sent_at IS NOT NULL OR status IN ('FAILED', 'EXPIRED'))`,
          [from],
        )
      ).rows[0].n >= total,
    { timeout: 120_000 + total * 100, interval: 100, what: `${total} messages sent` },
  );
}

/** Every session READY and GET /api/cluster showing `counts` sessions on `nodes`. */
async function waitSplit(cluster: BenchCluster, nodes: string[], counts: number[]): Promise<void> {
  const via = cluster.replicas.get(nodes[0])!.url;
  await waitFor(
    async () => {
      const body = await callJson(`${via}/api/cluster`);
      const per = new Map<string, number>();
      for (const s of body.sessions as { node: string | null }[]) if (s.node) per.set(s.node, (per.get(s.node) ?? 0) + 1);
      const split = nodes.map((n) => per.get(n) ?? 0);
      if (JSON.stringify(split) !== JSON.stringify(counts)) return false;
      const { rows } = await cluster.db.query(`SELECT count(*)::int AS n FROM session WHERE status = 'READY'`);
      return rows[0].n === SESSIONS;
    },
    { timeout: 180_000, interval: 250, what: `sessions split ${counts.join(' + ')} over ${nodes.join(', ')}, all READY` },
  );
}

async function linkSessions(cluster: BenchCluster, engine: 'baileys' | 'sandbox', sim: SimInfo | null, runTag: string): Promise<Target[]> {
  const a = cluster.replicas.get('a')!.url;
  const targets: Target[] = [];
  const statusOf = async (id: string) => (await cluster.db.query(`SELECT status FROM session WHERE id = $1`, [id])).rows[0]?.status as string;
  for (let i = 0; i < SESSIONS; i++) {
    const phone = `1556${runTag}${String(i).padStart(4, '0')}`;
    const { session } = await callJson(`${a}/api/sessions`, 'POST', { name: phone });
    const id = session.sessionId as string;
    // One at a time, each READY before the next; a link that did not complete (a QR that
    // expired on a busy machine) is scanned again with a fresh QR, up to three times.
    for (let attempt = 1; ; attempt++) {
      if (engine === 'baileys') {
        const { qr } = await callJson(`${a}/api/sessions/${id}/qr`);
        await callJson(`${sim!.controlUrl}/scan`, 'POST', { qr, phoneNumber: phone }, false);
      } else {
        await callJson(`${a}/api/sessions/${id}/sandbox/link`, 'POST', { phoneNumber: phone });
      }
      try {
        await waitFor(async () => (await statusOf(id)) === 'READY', { timeout: 30_000, interval: 100, what: `session ${i} READY` });
        break;
      } catch (err) {
        process.stderr.write(`[bench] session ${i} not READY after linking (${await statusOf(id)}), attempt ${attempt}\n`);
        if (attempt === 3) throw err;
      }
    }
    targets.push({ sessionId: id, contact: `1667${runTag}${String(i + 1).padStart(4, '0')}` });
  }
  return targets;
}

async function runEngine(engine: 'baileys' | 'sandbox', runTag: string): Promise<{ phases: Phase[]; rebalanceSeconds: number }> {
  const sim = engine === 'baileys' ? await startSimulatorProcess() : null;
  const env: Record<string, string> = {
    WA_ENGINE: engine,
    SESSION_LEASE_TTL_MS: String(TTL_MS),
    DEFAULT_MIN_DELAY_MS: '0',
    DEFAULT_MAX_DELAY_MS: '0',
    // A message accepted by the replica that does not run its session waits for the owner's
    // next poll of the queue: shorter than the default second, so the two-replica phases do
    // not pay for it at their start.
    QUEUE_POLL_INTERVAL_MS: '200',
    SANDBOX_RECEIPT_DELAY_MS: '0',
    ...(sim ? { WA_SIMULATOR_URL: sim.info.url, WA_SIMULATOR_ROOT_KEY: sim.info.rootPublicKey, WA_SIMULATOR_MEDIA_CA: sim.info.mediaCaPem } : {}),
  };
  const cluster = await startBenchCluster(env, { preload: sim ? SIMULATOR_PRELOAD : undefined });
  const extra: Record<string, number> = sim ? { simulator: sim.child.pid! } : {};
  const phases: Phase[] = [];
  let rebalanceSeconds = 0;
  const messages = engine === 'sandbox' ? SANDBOX_MESSAGES : MESSAGES;
  try {
    const a = await cluster.start('a');
    const targets = await linkSessions(cluster, engine, sim?.info ?? null, runTag);
    phases.push(await phase(cluster, '1 replica, unpinned', ['a'], targets, extra, messages));
    pin(a.child.pid!, '0');
    phases.push(await phase(cluster, '1 replica on core 0', ['a'], targets, extra, messages));
    const b: ServerProcess = await cluster.start('b');
    pin(b.child.pid!, '1');
    const joinedAt = Date.now();
    await waitSplit(cluster, ['a', 'b'], [SESSIONS / 2, SESSIONS / 2]);
    rebalanceSeconds = round((Date.now() - joinedAt) / 1000);
    phases.push(await phase(cluster, '2 replicas, a on core 0, b on core 1', ['a', 'b'], targets, extra, messages));
    pin(a.child.pid!, ALL_CPUS);
    pin(b.child.pid!, ALL_CPUS);
    phases.push(await phase(cluster, '2 replicas, unpinned', ['a', 'b'], targets, extra, messages));
    cluster.replicas.delete('b');
    await b.stop();
    await waitSplit(cluster, ['a'], [SESSIONS]);
    phases.push(await phase(cluster, '1 replica, unpinned, again', ['a'], targets, extra, messages));
  } finally {
    await cluster.close();
    sim?.child.kill('SIGTERM');
  }
  return { phases, rebalanceSeconds };
}

async function main(): Promise<void> {
  const runTag = String(Date.now() % 1000).padStart(3, '0');
  process.stdout.write(`## Replicas benchmark (${new Date().toISOString()}), load average at start ${loadAverage()}\n\n`);
  process.stdout.write(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB.\n\n`);
  process.stdout.write(
    `${SESSIONS} sessions; per phase ${MESSAGES} messages per session with Baileys (${SESSIONS * MESSAGES}), ${SANDBOX_MESSAGES} with the sandbox (${SESSIONS * SANDBOX_MESSAGES}), ` +
      `after ${WARMUP} unmeasured per session; ` +
      `simulator, Postgres and load generator unpinned.\n\n`,
  );
  for (const engine of ENGINES) {
    const { phases, rebalanceSeconds } = await runEngine(engine, runTag);
    const [oneU, oneP, twoP, twoU, oneU2] = phases;
    const order = ['replica a', 'replica b', 'simulator', 'postgres (this database)', 'load generator', 'machine'];
    const cpuKeys = order.filter((k) => phases.some((p) => k in p.cpu));
    process.stdout.write(`### ${engine === 'baileys' ? 'Real Baileys against the simulator' : 'Sandbox engine (no simulator)'}\n\n`);
    process.stdout.write(
      `| phase | sent (failed) | all accepted after (s) | last SENT after (s) | sent/s | ${cpuKeys.map((k) => `CPU ${k} %`).join(' | ')} | CPU ms per message: replicas / simulator / Postgres | load average |\n`,
    );
    process.stdout.write(`|---|---|---|---|---|${cpuKeys.map(() => '---|').join('')}---|---|\n`);
    for (const p of phases) {
      const pm = p.perMessage;
      process.stdout.write(
        `| ${p.label} | ${p.sent} (${p.failed}) | ${p.acceptedSeconds} | ${p.seconds} | ${p.rate} | ${cpuKeys.map((k) => p.cpu[k] ?? '').join(' | ')} | ${pm.replicas} / ${pm.simulator ?? '–'} / ${pm.postgres} | ${p.load} |\n`,
      );
    }
    const oneUnpinned = (oneU.rate + oneU2.rate) / 2;
    process.stdout.write(
      `\nTwo replicas / one: pinned (one core each / one core) **${(twoP.rate / oneP.rate).toFixed(2)}×**; ` +
        `unpinned (against the mean of the first and last one-replica phases) **${(twoU.rate / oneUnpinned).toFixed(2)}×**. ` +
        `When b joined (answering /api/health), the split was ${SESSIONS / 2} + ${SESSIONS / 2} with every session READY after ${rebalanceSeconds} s (lease TTL ${TTL_MS / 1000} s).\n\n`,
    );
  }
}

runBench(main);
