import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { callServer, serverProcessEnv, startServerProcess, type ServerProcess } from './server-process';
import { TEST_API_KEY } from './test-app';
import { createTestDatabase, type TestDatabase } from './test-database';
import { waitFor } from './wait';

/**
 * What the kill -9 specs share: a gateway run as its own process on a PostgreSQL database and
 * data dir of its own (both outlive the process, so it can be killed and started again), a
 * direct connection to read what it stored, and JSON calls with the admin key.
 * PostgreSQL only: a killed process cannot be expected to leave an embedded database consistent.
 */
export class CrashRig {
  server?: ServerProcess;

  private constructor(
    readonly database: TestDatabase,
    readonly dataDir: string,
    readonly db: Client,
  ) {}

  static async create(prefix: string): Promise<CrashRig> {
    const database = await createTestDatabase('postgres');
    const dataDir = mkdtempSync(join(tmpdir(), prefix));
    const db = new Client({ connectionString: database.url });
    await db.connect();
    return new CrashRig(database, dataDir, db);
  }

  /** The server process's settings on this rig's database and data dir; `extra` wins. */
  env(extra: Record<string, string> = {}): Record<string, string | undefined> {
    return serverProcessEnv(this.database.url, this.dataDir, extra);
  }

  /** Starts (or restarts) the gateway; resolves once /api/health answers. */
  async start(env: Record<string, string | undefined>, opts: { preload?: string } = {}): Promise<ServerProcess> {
    this.server = await startServerProcess(env, opts);
    return this.server;
  }

  call(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
    return callServer(this.server!.url, TEST_API_KEY, path, init);
  }

  post(path: string, body: unknown = {}): Promise<{ status: number; body: any }> {
    return this.call(path, { method: 'POST', body: JSON.stringify(body) });
  }

  patch(path: string, body: unknown): Promise<{ status: number; body: any }> {
    return this.call(path, { method: 'PATCH', body: JSON.stringify(body) });
  }

  /** A sandbox session linked to `phone`, paced as `pacing` says (no pause unless given). */
  async sandboxSession(phone: string, pacing: { minDelayMs: number; maxDelayMs: number } = { minDelayMs: 0, maxDelayMs: 0 }): Promise<string> {
    const sessionId = (await this.post('/api/sessions')).body.session.sessionId as string;
    await this.post(`/api/sessions/${sessionId}/sandbox/link`, { phoneNumber: phone });
    await this.patch(`/api/sessions/${sessionId}/settings`, pacing);
    return sessionId;
  }

  /** A session linked through the simulator by scanning its QR as `phone`, READY. */
  async simulatorSession(sim: { scan(qr: string, phone: string): Promise<unknown> }, phone: string): Promise<string> {
    const sessionId = (await this.post('/api/sessions', { name: phone })).body.session.sessionId as string;
    const qr = await this.call(`/api/sessions/${sessionId}/qr`);
    await sim.scan(qr.body.qr, phone);
    await this.waitReady(sessionId);
    return sessionId;
  }

  waitReady(sessionId: string, timeout = 30_000): Promise<boolean> {
    return waitFor(async () => (await this.call(`/api/sessions/${sessionId}`)).body.session?.status === 'READY', { timeout, what: `session ${sessionId} READY` });
  }

  async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query(sql, params)).rows as T[];
  }

  async close(): Promise<void> {
    await this.server?.stop().catch(() => undefined);
    await this.db.end().catch(() => undefined);
    await this.database.drop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
