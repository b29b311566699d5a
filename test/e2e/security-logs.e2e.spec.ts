import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from '../support/node-test';
import { Client } from 'pg';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { TEST_API_KEY } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait';

const SECRET = 'whsec_do-not-log-me-7f3c9a1e5b';

describe('Security: failed queries are logged without parameters or rows', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let server: ServerProcess | undefined;
  let database: TestDatabase;
  let dataDir: string;

  before(async () => {
    database = await createTestDatabase('postgres');
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-logs-'));
    server = await startServerProcess({ DATABASE_URL: database.url, DATA_DIR: dataDir, API_KEY: TEST_API_KEY, WA_ENGINE: 'sandbox', LOG_LEVEL: 'info' });
  });
  after(async () => {
    await server?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs the code and operation of a failing insert, never its secret or row', async () => {
    // Make the next webhook insert fail inside Postgres, with the secret among its parameters.
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      await db.query(`ALTER TABLE webhook ADD CONSTRAINT test_refuse CHECK (description IS DISTINCT FROM 'refuse me')`);
    } finally {
      await db.end();
    }
    const res = await fetch(`${server!.url}/api/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://example.com/hook', secret: SECRET, description: 'refuse me', events: ['*'] }),
    });
    assert.equal(res.status, 500);
    const body = await res.text();
    assert.ok(!body.includes(SECRET));
    // The request log line follows the error line; wait for it.
    await waitFor(() => server!.output().includes('"statusCode":500'), { timeout: 15_000, what: 'the request log line' });
    const output = server!.output();
    const errorLine = output.split('\n').find((l) => l.includes('Unhandled error'));
    assert.ok(errorLine, output);
    for (const leak of [SECRET, 'Failing row', 'refuse me']) assert.ok(!output.includes(leak), `log holds ${leak}:\n${output}`);
    const logged = JSON.parse(errorLine!);
    assert.equal(logged.err.code, '23514');
    assert.equal(logged.err.operation, 'INSERT webhook');
    assert.equal(logged.err.constraint, 'test_refuse');
  });
});

