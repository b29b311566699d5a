import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BENCH_API_KEY } from './gateway';

export interface SimInfo {
  url: string;
  rootPublicKey: string;
  controlUrl: string;
  mediaCaPem: string;
}

/** The loopback WhatsApp simulator in a process of its own (every unknown number is a contact). */
export async function startSimulatorProcess(extraArgs: string[] = []): Promise<{ info: SimInfo; child: ChildProcess }> {
  const main = join(__dirname, '..', '..', 'test', 'wa-sim', 'main.js');
  const child = spawn(process.execPath, [main, '--port', '0', '--auto-contacts', ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}`)));
  });
  return { info: JSON.parse(line) as SimInfo, child };
}

export const SIMULATOR_PRELOAD = join(__dirname, '..', '..', 'test', 'wa-sim', 'preload.js');

/** JSON call with the admin key; throws on a non-2xx answer. */
export async function callJson(url: string, method = 'GET', body?: unknown, auth = true): Promise<any> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${BENCH_API_KEY}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The gateway settings a bench gives a Baileys gateway on `databaseUrl` that talks to `sim`, with no pacing. */
export function simulatorGatewayEnv(sim: SimInfo, databaseUrl: string | undefined, dataDir: string): Record<string, string | undefined> {
  return {
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    API_KEY: BENCH_API_KEY,
    WA_ENGINE: 'baileys',
    WA_SIMULATOR_URL: sim.url,
    WA_SIMULATOR_ROOT_KEY: sim.rootPublicKey,
    WA_SIMULATOR_MEDIA_CA: sim.mediaCaPem,
    DEFAULT_MIN_DELAY_MS: '0',
    DEFAULT_MAX_DELAY_MS: '0',
    DATABASE_POOL_SIZE: '20',
    LOG_LEVEL: 'error',
  };
}
