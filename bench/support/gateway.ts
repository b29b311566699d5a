import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startServerProcess, type ServerProcess } from '../../test/support/server-process';
import { createTestDatabase } from '../../test/support/test-database';

export const BENCH_API_KEY = 'bench-admin-key-0123456789abcdef';

export interface BenchGateway {
  server: ServerProcess;
  /** A client on the gateway's database, for counting rows. */
  db: Client;
  /** JSON call with the admin key; throws on a non-2xx answer. */
  api(path: string, method?: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

/**
 * A gateway process on a fresh database of the local PostgreSQL (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres) with the sandbox engine unless `env` says
 * otherwise; `preload` is a module the server process loads first (the simulator's root key),
 * `nodeArgs` go to node (e.g. `--inspect` for a heap probe).
 * `close()` stops it and drops the database and data directory.
 */
export async function startBenchGateway(env: Record<string, string>, opts: { preload?: string; nodeArgs?: string[] } = {}): Promise<BenchGateway> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = await createTestDatabase('postgres');
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const server = await startServerProcess({
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    API_KEY: BENCH_API_KEY,
    WA_ENGINE: 'sandbox',
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '20',
    ...env,
  }, opts);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const api = async (path: string, method = 'GET', body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    server,
    db,
    api,
    close: async () => {
      await db.end();
      await server.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
