import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from '../support/node-test';
import { waitFor } from '../support/wait';
import { callServer, startServerProcess, type ServerProcess } from '../support/server-process';

const root = join(__dirname, '..', '..', '..');
const tokenScript = join(root, 'scripts', 'token.mjs');

function runTokenScript(dataDir: string) {
  return spawnSync(process.execPath, [tokenScript], {
    cwd: dataDir, // no .env there
    env: { PATH: process.env.PATH, DATA_DIR: dataDir },
    encoding: 'utf8',
  });
}

/**
 * A newcomer's first `npm start` with stdout not a terminal (Docker, CI, a pipe): the startup
 * banner comes after the log lines instead of scrolling away under them, it does not put the
 * generated admin token into that output, and `npm run token` prints the token.
 */
describe('First run without API_KEY, stdout not a terminal', () => {
  let dataDir: string;
  let server: ServerProcess;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sb-first-run-'));
    server = await startServerProcess({ DATA_DIR: dataDir, WA_ENGINE: 'sandbox', LOG_LEVEL: 'info' }, { timeoutMs: 60_000 });
    await waitFor(() => /Auth: .*\n/.test(server.output()), { what: 'the startup banner' });
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the banner after the startup log lines, with where the token is but not the token', () => {
    const out = server.output();
    const banner = out.indexOf('Switchboard is listening on ');
    assert.ok(banner > 0, out);
    assert.ok(out.indexOf('"msg":"Nest application successfully started"') < banner, 'Nest start line before the banner');
    assert.ok(out.indexOf('"msg":"Switchboard is listening"') < banner, 'listening log line before the banner');
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    assert.match(token, /^sb_/);
    assert.ok(!out.includes(token), 'the token is not in the collected output');
    assert.match(out.slice(banner), new RegExp(`Admin token: in ${join(dataDir, 'admin-token').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; print it with "npm run token"`));
  });

  it('npm run token prints the working admin token, and only it, on stdout', async () => {
    const run = runTokenScript(dataDir);
    assert.equal(run.status, 0, run.stderr);
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    assert.equal(run.stdout, `${token}\n`);
    const verify = await callServer(server.url, run.stdout.trim(), '/api/auth/verify');
    assert.equal(verify.status, 200);
    assert.equal(verify.body.data.isAdmin, true);
  });

  it('npm run token says how to get one when there is none yet', () => {
    const empty = mkdtempSync(join(tmpdir(), 'sb-no-token-'));
    try {
      const run = runTokenScript(empty);
      assert.equal(run.status, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /No admin token in .* yet\. Start Switchboard once \(npm start\)/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
