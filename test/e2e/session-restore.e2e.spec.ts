import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from '../support/node-test';
import { callServer, serverProcessEnv, SIMULATOR_PRELOAD, startServerProcess, type ServerProcess } from '../support/server-process';
import { simulatorProcessEnv } from '../support/simulator-env';
import { TEST_API_KEY } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait';
import { WaSimulator } from '../wa-sim/wa-simulator';

const PHONES = Array.from({ length: 8 }, (_, i) => `1555072000${i + 1}`);
const CONCURRENCY = 3;

/**
 * Restore after a restart, real Baileys through the simulator: the gateway reconnects every
 * linked session from its stored credentials with at most SESSION_RESTORE_CONCURRENCY
 * handshakes in flight, as the simulator counts them, and all of them come back READY.
 * (Without the bound six to eight of them overlap.)
 */
describe('Restoring sessions after a restart', () => {
  let database: TestDatabase;
  let sim: WaSimulator;
  let server: ServerProcess | undefined;
  let env: Record<string, string | undefined>;
  let dataDir: string;
  const ids: string[] = [];

  before(async () => {
    database = await createTestDatabase(process.env.DATABASE_URL ? 'postgres' : 'pglite');
    // Logins answered a little late, as over a real network: unbounded, all eight would overlap.
    sim = new WaSimulator({ logErrors: false, handshakeDelayMs: 300 });
    await sim.start();
    dataDir = mkdtempSync(join(tmpdir(), 'sb-restore-'));
    env = serverProcessEnv(database.url, dataDir, {
      ...simulatorProcessEnv(sim),
      SESSION_RESTORE_CONCURRENCY: String(CONCURRENCY),
    });
  });
  after(async () => {
    await server?.stop().catch(() => undefined);
    await sim?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (path: string, init?: RequestInit) => callServer(server!.url, TEST_API_KEY, path, init);

  async function allReady(): Promise<boolean> {
    const { body } = await call('/api/sessions');
    const ready = new Set((body.sessions as { sessionId: string; status: string }[]).filter((s) => s.status === 'READY').map((s) => s.sessionId));
    return ids.every((id) => ready.has(id));
  }

  it(`reconnects ${PHONES.length} linked sessions with at most ${CONCURRENCY} handshakes at once`, async () => {
    server = await startServerProcess(env, { preload: SIMULATOR_PRELOAD });
    for (const phone of PHONES) {
      const created = await call('/api/sessions', { method: 'POST', body: JSON.stringify({ name: phone }) });
      const id = created.body.session.sessionId as string;
      const qr = await call(`/api/sessions/${id}/qr`);
      await sim.scan(qr.body.qr, phone);
      ids.push(id);
    }
    await waitFor(allReady, { timeout: 30_000, what: `${PHONES.length} sessions READY after linking` });

    await server.stop();
    sim.resetHandshakeStats();
    server = await startServerProcess(env, { preload: SIMULATOR_PRELOAD });
    await waitFor(allReady, { timeout: 30_000, what: `${PHONES.length} sessions READY after the restart` });

    const stats = sim.handshakeStats();
    assert.ok(stats.completed >= PHONES.length, `every session logged in again: ${JSON.stringify(stats)}`);
    assert.ok(stats.peakInFlight <= CONCURRENCY, `at most ${CONCURRENCY} handshakes at once: ${JSON.stringify(stats)}`);
    // The bound is used, not a one-at-a-time queue.
    assert.ok(stats.peakInFlight >= 2, `handshakes overlapped: ${JSON.stringify(stats)}`);
    for (const phone of PHONES) {
      const sockets = sim.socketStats(phone);
      assert.equal(sockets.online, 1, `${phone}: ${JSON.stringify(sockets)}`);
      assert.equal(sockets.overlaps, 0, `${phone}: ${JSON.stringify(sockets)}`);
    }
  });
});
