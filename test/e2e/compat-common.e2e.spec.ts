import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { api } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';

/** What the four product APIs share: product-scoped tokens, product error shapes, their own docs. */
for (const kind of testDatabaseKinds()) describe(`Product APIs: credentials, errors, docs (${kind})`, () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ database: await createTestDatabase(kind) });
  });
  after(async () => {
    await t?.destroy();
  });

  it('a token issued for one product API with the client’s own secret works there only', async () => {
    const secret = 'existing-gateway-secret-0001';
    const created = await api(t).post('/api/auth/tokens').send({ name: 'gateway key', api: 'gateway', secret }).expect(201);
    assert.equal(created.body.api, 'gateway');
    assert.equal(created.body.token, secret);
    const listed = (await api(t).get('/api/auth/tokens').expect(200)).body.tokens.find((tk: { id: string }) => tk.id === created.body.id);
    assert.equal(listed.api, 'gateway');

    const native = await api(t, secret).get('/api/sessions').expect(403);
    assert.equal(native.body.error.code, 'FORBIDDEN');

    const admin = await api(t).post('/api/auth/tokens').send({ name: 'x', api: 'gateway', role: 'admin' }).expect(400);
    assert.equal(admin.body.error.details.fields[0].field, 'api');
    const short = await api(t).post('/api/auth/tokens').send({ name: 'x', secret: 'short' }).expect(400);
    assert.equal(short.body.error.details.fields[0].field, 'secret');
    const unknownApi = await api(t).post('/api/auth/tokens').send({ name: 'x', api: 'nope' }).expect(400);
    assert.equal(unknownApi.body.error.details.fields[0].field, 'api');
  });

  it('answers unknown routes, missing credentials and bad JSON under a product path in that product’s shape', async () => {
    for (const product of ['connections', 'phones', 'gateway', 'devices']) {
      const unknown = await api(t).get(`/compat/${product}/no/such/route`).expect(404);
      assert.equal(unknown.body.success ?? unknown.body.status, false, product);
      assert.equal(unknown.body.error?.code ?? unknown.body.code, 'ROUTE_NOT_FOUND', product);
      const anonymous = await api(t, null).get(`/compat/${product}/no/such/route`);
      assert.ok([401, 404].includes(anonymous.status), product);
      const bad = await api(t).post(`/compat/${product}/anything`).set('Content-Type', 'application/json').send('{"a":').expect(400);
      assert.equal(bad.body.error?.code ?? bad.body.code, 'MALFORMED_JSON', product);
      assert.equal(bad.body.requestId === undefined || typeof bad.body.requestId === 'string', true);
    }
  });

  it('serves one Swagger document per product and keeps them out of the native one', async () => {
    const native = (await api(t, null).get('/docs-json').expect(200)).body;
    assert.ok(!Object.keys(native.paths).some((p) => p.startsWith('/compat/')));
    for (const product of ['connections', 'phones', 'gateway', 'devices']) {
      const doc = (await api(t, null).get(`/docs/${product}-json`).expect(200)).body;
      assert.ok(Object.keys(doc.paths).every((p) => p.startsWith(`/compat/${product}/`)), product);
      const page = await api(t, null).get(`/docs/${product}`).redirects(1).expect(200);
      assert.match(page.text, /swagger/i);
    }
  });
});
