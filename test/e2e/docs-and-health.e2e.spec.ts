import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from '../support/node-test';
import { api } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

describe('Swagger docs and health', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t?.destroy();
  });

  it('serves Swagger UI at /docs and documents every route with a summary and security', async () => {
    const ui = await api(t, null).get('/docs/').expect(200);
    assert.match(ui.text, /swagger-ui/i);
    const { body: doc } = await api(t, null).get('/docs-json').expect(200);
    assert.ok(doc.components.securitySchemes.bearer);
    assert.ok(doc.components.securitySchemes['api-key']);
    const expected = [
      'get /api/sessions', 'post /api/sessions', 'get /api/sessions/{sessionId}', 'get /api/sessions/{sessionId}/qr',
      'delete /api/sessions/{sessionId}', 'post /api/sessions/{sessionId}/restart', 'post /api/sessions/{sessionId}/logout',
      'post /api/sessions/{sessionId}/relink', 'post /api/sessions/{sessionId}/sandbox/link',
      'post /api/sessions/{sessionId}/sandbox/inbound', 'post /api/auth/login', 'post /api/auth/tokens', 'get /api/auth/token',
      'get /api/health', 'get /api/health/resources',
    ];
    const present = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m} ${p}`));
    for (const route of expected) assert.ok(present.includes(route), `missing ${route}`);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops as Record<string, { summary?: string; security?: unknown[]; responses: object }>)) {
        assert.ok(op.summary, `${method} ${path} has no summary`);
        const isPublic = ['/api/health', '/api/health/live', '/api/health/ready', '/api/auth/login'].includes(path);
        if (!isPublic) assert.ok(op.security?.length, `${method} ${path} has no security`);
      }
    }
    assert.ok(doc.components.schemas.CreateSessionDto.properties.method);
    assert.ok(doc.components.schemas.ErrorEnvelopeDto);
  });

  it('reports health without a credential and resources with one', async () => {
    const health = await api(t, null).get('/api/health').expect(200);
    assert.equal(health.body.status, 'ok');
    assert.ok(!Number.isNaN(Date.parse(health.body.timestamp)));
    assert.equal(health.body.checks.database, 'ok');
    const res = await api(t).get('/api/health/resources').expect(200);
    assert.ok(res.body.resources.memory.rss > 0);
    assert.equal(typeof res.body.resources.sessions.total, 'number');
    assert.ok(res.body.resources.cpu.cores >= 1);
  });
});

describe('Boot with a bad environment', () => {
  it('exits non-zero naming the offending keys, never their values', () => {
    const main = join(__dirname, '..', '..', 'src', 'main.js');
    const secret = 'tiny-secret';
    const run = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, PORT: 'not-a-port', JWT_SECRET: secret, WA_ENGINE: 'nope', DATA_DIR: '/tmp/sb-bad-env' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Invalid environment variables: JWT_SECRET, PORT, WA_ENGINE/);
    assert.ok(!run.stderr.includes(secret) && !run.stdout.includes(secret));
    assert.ok(!run.stderr.includes('not-a-port'));
  });
});
