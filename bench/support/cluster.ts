/**
 * Replicas of the gateway as separate processes on one fresh PostgreSQL database, started the
 * way the cluster e2e spec starts them (NODE_ID, NODE_URL, SESSION_LEASE_TTL_MS, one shared
 * MASTER_KEY), the loopback simulator as a process of its own, CPU pinning with `taskset` and
 * CPU accounting from /proc (Linux).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, startServerProcess, type ServerProcess } from '../../test/support/server-process';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { BENCH_API_KEY } from './gateway';
import { callJson } from './simulator';

export interface BenchCluster {
  db: Client;
  replicas: Map<string, ServerProcess>;
  /** Starts replica `nodeId` (NODE_ID) on its own port. */
  start(nodeId: string): Promise<ServerProcess>;
  close(): Promise<void>;
}

/** Replicas on one fresh database; `env` is every replica's environment (engine, simulator…). */
export async function startBenchCluster(env: Record<string, string>, opts: { preload?: string } = {}): Promise<BenchCluster> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  const database: TestDatabase = await createTestDatabase('postgres');
  const dirs: string[] = [];
  const replicas = new Map<string, ServerProcess>();
  const db = new Client({ connectionString: database.url });
  await db.connect();
  return {
    db,
    replicas,
    async start(nodeId: string) {
      const dir = mkdtempSync(join(tmpdir(), `sb-bench-${nodeId}-`));
      dirs.push(dir);
      const port = await freePort();
      const server = await startServerProcess(
        {
          DATABASE_URL: database.url,
          DATA_DIR: dir,
          API_KEY: BENCH_API_KEY,
          LOG_LEVEL: 'error',
          DATABASE_POOL_SIZE: '20',
          MASTER_KEY: 'ab'.repeat(32),
          PORT: String(port),
          NODE_ID: nodeId,
          NODE_URL: `http://127.0.0.1:${port}`,
          ...env,
        },
        { preload: opts.preload, timeoutMs: 60_000 },
      );
      replicas.set(nodeId, server);
      return server;
    },
    async close() {
      await db.end();
      for (const server of replicas.values()) await server.stop().catch(() => undefined);
      await database.drop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every CPU of the machine, as taskset writes it (`0-1` on two cores). */
export const ALL_CPUS = `0-${cpus().length - 1}`;

/** Pins every thread of a process (and the threads it starts later) to `cpus` (`0`, `1`, `0-1`). */
export function pin(pid: number, cpuList: string): void {
  execFileSync('taskset', ['-a', '-cp', cpuList, String(pid)], { stdio: 'ignore' });
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime: fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Busy and total CPU time of the whole machine so far (all cores), from /proc/stat, in ticks. */
export function machineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  const idle = n[3] + (n[4] ?? 0);
  return { busy: total - idle, total };
}

export const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
