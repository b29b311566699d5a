import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { after, before, describe, it } from '../support/node-test';
import { serverProcessEnv, startServerProcess, type ServerProcess } from '../support/server-process';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait';

/** A probe as Kubernetes sends it: no credential, the status and the parsed body. */
async function probe(server: ServerProcess, path: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/**
 * The probes a load balancer and an orchestrator use, over real HTTP against the server run as
 * its own process: liveness asks nothing of the database; readiness turns 503 while the
 * database does not answer and from the moment SIGTERM arrives, while the replica hands its
 * sessions over and still serves.
 */
for (const kind of testDatabaseKinds()) {
  describe(`Health probes (${kind})`, () => {
    let database: TestDatabase;
    let server: ServerProcess;
    let dir: string;

    before(async () => {
      database = await createTestDatabase(kind);
      dir = mkdtempSync(join(tmpdir(), 'sb-probes-'));
      server = await startServerProcess(serverProcessEnv(database.url, dir, { NODE_ID: 'probe-node' }));
    });
    after(async () => {
      await server?.stop();
      await database?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('answer without a credential, say nothing beyond their status, and are not taken for Graph ids', async () => {
      const live = await probe(server, '/api/health/live');
      assert.equal(live.status, 200);
      assert.deepEqual(live.body, { status: 'ok' });
      assert.equal(live.headers.get('cache-control'), 'no-store');
      const ready = await probe(server, '/api/health/ready');
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.body, { status: 'ready' });
      // Under /api, never rewritten onto the Cloud API facade, even behind a Graph version.
      const versioned = await fetch(`${server.url}/v21.0/api/health/ready`);
      assert.notEqual(versioned.status, 200);
    });
  });
}

describe('Readiness while the database is away and while shutting down', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL (a second connection holds the shutdown)' }, () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let dir: string;
  let admin: Client;

  before(async () => {
    database = await createTestDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'sb-probes-drain-'));
    server = await startServerProcess(serverProcessEnv(database.url, dir, { NODE_ID: 'draining-node', SESSION_LEASE_TTL_MS: '3000' }));
    admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });
  after(async () => {
    await server?.kill9();
    const name = database ? new URL(database.url!).pathname.slice(1) : undefined;
    if (name) await admin?.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin?.end();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('readiness is 503 DATABASE_UNAVAILABLE while the database refuses connections, liveness stays 200, and both recover', async () => {
    const name = new URL(database.url!).pathname.slice(1);
    await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
    const down = await waitFor(async () => {
      const r = await probe(server, '/api/health/ready');
      return r.status === 503 && r.body;
    }, { what: 'readiness 503 without a database' });
    assert.deepEqual(down, { status: 'unavailable', code: 'DATABASE_UNAVAILABLE' });
    const live = await probe(server, '/api/health/live');
    assert.equal(live.status, 200);
    await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`);
    await waitFor(async () => (await probe(server, '/api/health/ready')).status === 200, { what: 'readiness back once the database answers' });
  });

  it('readiness turns 503 DRAINING at SIGTERM while the handover runs and the process still serves, then the process exits', async () => {
    // Holding this replica's row in cluster_node holds its shutdown in the handover step (its
    // rounds and its final "stopped" mark wait for the row), so the window can be observed.
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      const { rowCount } = await holder.query(`SELECT 1 FROM cluster_node WHERE id = 'draining-node' FOR UPDATE`);
      assert.equal(rowCount, 1);
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        server.child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      server.child.kill('SIGTERM');
      const draining = await waitFor(async () => {
        const r = await probe(server, '/api/health/ready');
        return r.status === 503 && r.body;
      }, { what: 'readiness 503 after SIGTERM' });
      assert.deepEqual(draining, { status: 'unavailable', code: 'DRAINING' });
      // Still serving while it hands over: the process is alive and the database answers.
      assert.equal((await probe(server, '/api/health/live')).status, 200);
      assert.equal((await probe(server, '/api/health')).status, 200);
      assert.equal(server.child.exitCode, null, 'the shutdown waits for the handover');
      await holder.query('COMMIT');
      const { code, signal } = await exited;
      assert.ok(code === 0 || signal === 'SIGTERM', `exited with ${code ?? signal}:\n${server.output().slice(-3000)}`);
      const { rows } = await holder.query(`SELECT stopped_at FROM cluster_node WHERE id = 'draining-node'`);
      assert.ok(rows[0].stopped_at, 'the node marked itself stopped after the handover');
    } finally {
      await holder.end();
    }
  });
});
