import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import express from 'express';
import { AppConfig } from '../../config/app-config';
import { AppLogger } from './app-logger';
import { createRootLogger } from './logger.options';
import { requestLogger } from './request-logger';

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const root = createRootLogger(new AppConfig({ LOG_LEVEL: level, LOG_FORMAT: 'json' }), sink);
  return { root, lines };
}

describe('AppLogger', () => {
  it("takes Nest's and pino's call shapes and names the context", () => {
    const { root, lines } = capture('debug');
    Logger.overrideLogger(new AppLogger(root));
    const logger = new Logger('Sessions');
    logger.log('Restoring 2 session(s)');
    logger.log({ sessionId: 's1', status: 'READY' }, 'Session status changed');
    logger.warn('slow');
    logger.error(new Error('boom'));
    logger.error('failed', 'Error: failed\n    at x (y.js:1:1)');
    logger.verbose('not at debug');
    Logger.overrideLogger(false);
    assert.deepEqual(
      lines.map((l) => [l.level, l.context, l.msg]),
      [
        [30, 'Sessions', 'Restoring 2 session(s)'],
        [30, 'Sessions', 'Session status changed'],
        [40, 'Sessions', 'slow'],
        [50, 'Sessions', 'boom'],
        [50, 'Sessions', 'failed'],
      ],
    );
    assert.equal(lines[1].sessionId, 's1');
    assert.match(String((lines[3].err as { stack: string }).stack), /Error: boom/);
    assert.match(String(lines[4].stack), /at x/);
  });

  it('censors secrets and message bodies at every level', () => {
    const { root, lines } = capture('debug');
    new AppLogger(root).debug({ token: 'sb_secret', text: 'hello there', payload: { qr: '2@abc', password: 'pw' } }, 'payload', 'Ctx');
    const line = JSON.stringify(lines[0]);
    for (const secret of ['sb_secret', 'hello there', '2@abc', '"pw"']) assert.ok(!line.includes(secret), `${secret} leaked: ${line}`);
    assert.equal(lines[0].token, '[redacted]');
  });
});

describe('requestLogger', () => {
  async function serve(level: string) {
    const { root, lines } = capture(level);
    const app = express();
    app.use(requestLogger(root));
    app.get('/api/health', (_req, res) => res.json({ status: 'ok' }));
    app.get('/api/ok', (_req, res) => res.json({ ok: true }));
    app.get('/api/broken', (_req, res) => res.status(500).json({ ok: false }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { base, lines, close: () => new Promise((r) => server.close(r)) };
  }

  it('gives every request an id, echoes it and logs 4xx at info without query strings or headers', async () => {
    const s = await serve('info');
    try {
      const ok = await fetch(`${s.base}/api/ok`);
      assert.match(ok.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      const missing = await fetch(`${s.base}/nope?access_token=EAAGsecret`, { headers: { 'x-request-id': 'trace-1', authorization: 'Bearer sb_x' } });
      assert.equal(missing.headers.get('x-request-id'), 'trace-1');
      const forged = await fetch(`${s.base}/api/ok`, { headers: { 'x-request-id': 'bad id with spaces' } });
      assert.notEqual(forged.headers.get('x-request-id'), 'bad id with spaces');
      await fetch(`${s.base}/api/broken`);
      await new Promise((r) => setImmediate(r));
      // 2xx lines are debug: not written at info.
      assert.deepEqual(
        s.lines.map((l) => [l.level, (l.req as { path: string }).path, (l.res as { statusCode: number }).statusCode]),
        [
          [30, '/nope', 404],
          [50, '/api/broken', 500],
        ],
      );
      assert.equal((s.lines[0].req as { id: string }).id, 'trace-1');
      assert.equal(typeof s.lines[0].responseTime, 'number');
      const all = JSON.stringify(s.lines);
      assert.ok(!all.includes('EAAGsecret') && !all.includes('sb_x'));
    } finally {
      await s.close();
    }
  });

  it('logs successful requests at debug, except health checks', async () => {
    const s = await serve('debug');
    try {
      await fetch(`${s.base}/api/health`);
      await fetch(`${s.base}/api/ok`);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(
        s.lines.map((l) => [l.level, (l.req as { path: string }).path]),
        [[20, '/api/ok']],
      );
    } finally {
      await s.close();
    }
  });
});
