import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api } from '../support/http';
import { after, before, describe, it } from '../support/node-test';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * How the server serves the dashboard (src/web-ui), over HTTP and without a browser: where it
 * lives, deep links, caching, its Content-Security-Policy, and that none of it shadows the API,
 * the docs or the Cloud API facade. `npm test` builds the app first (scripts/run-tests.mjs).
 */
describe('Dashboard serving', () => {
  let t: TestApp;
  const dist = join(__dirname, '..', '..', '..', 'dist', 'web');
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t?.destroy();
  });

  it('leads / and /dashboard to /ui/, and /ui to /ui/', async () => {
    assert.equal((await api(t, null).get('/').expect(302)).headers.location, '/ui/');
    assert.equal((await api(t, null).get('/dashboard').expect(302)).headers.location, '/ui/');
    assert.equal((await api(t, null).get('/ui?x=1').expect(301)).headers.location, '/ui/?x=1');
  });

  it('answers the app at /ui/ and at every deep link, revalidated, under a CSP that allows only its own files', async () => {
    const index = readFileSync(join(dist, 'index.html'), 'utf8');
    for (const path of ['/ui/', '/ui/sessions', '/ui/sessions/qr_1782473171252_bb1a0195', '/ui/sessions/919876543210/']) {
      const res = await api(t, null).get(path).expect(200);
      assert.match(res.headers['content-type'], /^text\/html/, path);
      assert.equal(res.text, index, path);
      assert.equal(res.headers['cache-control'], 'no-cache', path);
      const csp = res.headers['content-security-policy'];
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.match(csp, /style-src 'self'(;|$)/, path);
      assert.match(csp, /connect-src 'self'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      // Message media and TTS previews are fetched with the credential and shown from blob: URLs.
      assert.match(csp, /img-src 'self' data: blob:(;|$)/, path);
      assert.match(csp, /media-src 'self' blob:(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-(inline|eval)/, path);
      assert.equal(res.headers['x-frame-options'], 'DENY');
    }
    // No inline script in the page: everything it runs is a file of the build.
    assert.doesNotMatch(index, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(index, /https?:\/\//, 'no asset from elsewhere');
  });

  it('serves the hashed assets for a year, and 404s files it does not have instead of answering the page', async () => {
    const assets = readdirSync(join(dist, 'assets'));
    const js = assets.find((f) => f.endsWith('.js'))!;
    const css = assets.find((f) => f.endsWith('.css'))!;
    const script = await api(t, null).get(`/ui/assets/${js}`).expect(200);
    assert.match(script.headers['content-type'], /javascript/);
    assert.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match((await api(t, null).get(`/ui/assets/${css}`).expect(200)).headers['content-type'], /text\/css/);
    assert.match((await api(t, null).get('/ui/favicon.svg').expect(200)).headers['content-type'], /image\/svg\+xml/);
    const missing = await api(t, null).get('/ui/assets/index-gone.js').expect(404);
    assert.equal(missing.body.error.code, 'ROUTE_NOT_FOUND');
    await api(t, null).get('/ui/robots.txt').expect(404);
    await api(t, null).get('/ui/%2e%2e/package.json').expect(404);
    await api(t, null).get('/ui/..%2F..%2Fpackage.json').expect(404);
  });

  it('leaves the API, the docs and the Cloud API facade as they were', async () => {
    const unauthenticated = await api(t, null).get('/api/sessions').expect(401);
    assert.equal(unauthenticated.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'; sandbox");
    assert.equal((await api(t).get('/api/sessions').expect(200)).body.success, true);
    assert.equal((await api(t).get('/api/nothing-here').expect(404)).body.error.code, 'ROUTE_NOT_FOUND');
    await api(t, null).get('/docs/').expect(200);
    assert.ok((await api(t, null).get('/docs-json').expect(200)).body.paths['/api/sessions']);
    assert.equal((await api(t, null).get('/docs-json').expect(200)).body.paths['/ui/{*path}'], undefined, 'not in the API reference');
    // Graph ids still reach the facade, versioned or not: Meta-shaped errors.
    const graph = await api(t).get('/v21.0/123456789/messages').expect((r) => assert.ok(r.status >= 400));
    assert.ok(graph.body.error?.fbtrace_id !== undefined || typeof graph.body.error?.code === 'number', JSON.stringify(graph.body));
    const unversioned = await api(t).get('/123456789').expect((r) => assert.ok(r.status >= 400));
    assert.equal(typeof unversioned.body.error?.code, 'number', JSON.stringify(unversioned.body));
    assert.equal((await api(t, null).get('/favicon.ico').expect(404)).body.success, false);
  });
});
