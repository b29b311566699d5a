import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { api } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Every response carries nosniff, DENY framing and a Content-Security-Policy (none of Express's
 * X-Powered-By): JSON answers, errors raised before routing, and Swagger UI's HTML.
 */
describe('Security headers', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t?.destroy();
  });

  const common = (res: { headers: Record<string, string | undefined> }, what: string) => {
    assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
    assert.equal(res.headers['x-frame-options'], 'DENY', what);
    assert.equal(res.headers['x-powered-by'], undefined, what);
    assert.ok(res.headers['content-security-policy'], what);
    assert.match(res.headers['content-security-policy']!, /frame-ancestors 'none'/, what);
  };

  it('on API answers and errors, with a CSP that lets nothing run', async () => {
    const responses = {
      health: await api(t, null).get('/api/health').expect(200),
      unauthenticated: await api(t, null).get('/api/sessions').expect(401),
      notFound: await api(t).get('/api/nothing-here').expect(404),
      malformedJson: await api(t).post('/api/sessions').set('Content-Type', 'application/json').send('{"name":').expect(400),
      cloudApi: await api(t).get('/v21.0/nope/messages').expect((r) => assert.ok(r.status >= 400)),
      docsJson: await api(t, null).get('/docs-json').expect(200),
    };
    for (const [what, res] of Object.entries(responses)) {
      common(res, what);
      assert.equal(res.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'; sandbox", what);
    }
  });

  it('on Swagger UI, with a CSP that allows its own scripts and styles only', async () => {
    for (const path of ['/docs/', '/docs/swagger-ui-init.js', '/docs/swagger-ui.css']) {
      const res = await api(t, null).get(path).expect(200);
      common(res, path);
      const csp = res.headers['content-security-policy']!;
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/, path);
    }
    const html = await api(t, null).get('/docs/').expect(200);
    assert.match(html.headers['content-type'] ?? '', /text\/html/);
    // The page loads scripts from itself only (no inline <script> the policy would block).
    const inline = [...html.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].filter(([, attrs, body]) => !/src=/.test(attrs) && body.trim());
    assert.deepEqual(inline, []);
  });
});
