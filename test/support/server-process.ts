import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TEST_API_KEY } from './test-app';
import { seedEmbeddedDatabase } from './test-database';

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no shutdown hooks, as in a crash. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the compiled server (`build/src/main.js`) as its own process and resolves once
 * /api/health answers. `preload` adds `node -r <module>` (e.g. the simulator's trust hook);
 * `nodeArgs` go to node before it (e.g. `--cpu-prof`).
 */
export async function startServerProcess(env: Record<string, string | undefined>, opts: { preload?: string; timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<ServerProcess> {
  // Embedded PGlite starts from a copy of the migrated template, like startTestApp().
  if (!env.DATABASE_URL && env.DATA_DIR) await seedEmbeddedDatabase(env.DATA_DIR);
  const port = Number(env.PORT) || (await freePort());
  const main = join(__dirname, '..', '..', 'src', 'main.js');
  const args = [...(opts.nodeArgs ?? []), ...(opts.preload ? ['-r', opts.preload] : []), main];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not come up:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A JSON request to a server process with a bearer token: the status and the parsed body. */
export async function callServer(url: string, token: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  return { status: res.status, body: (await res.json()) as any };
}

/**
 * What every spec that runs the server as its own process gives it: its database, its data
 * dir, the test admin key, the sandbox engine; `extra` wins.
 */
export function serverProcessEnv(databaseUrl: string | undefined, dataDir: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, API_KEY: TEST_API_KEY, WA_ENGINE: 'sandbox', ...extra };
}

/** `node -r` module that makes a server process trust the loopback simulator (test-only). */
export const SIMULATOR_PRELOAD = join(__dirname, '..', 'wa-sim', 'preload.js');
