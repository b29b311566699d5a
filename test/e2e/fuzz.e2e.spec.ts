import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from '../support/node-test';
import fc from 'fast-check';
import { linkedSandboxSession } from '../support/cloud-api';
import { api } from '../support/http';
import { closeAgent, directedRequests, hostileRequest, routesOf, send, type HostileRequest } from '../support/hostile-requests';
import { mediaFixtures } from '../support/media-fixtures';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';

/**
 * Property-based fuzzing of every route of both API surfaces (the native `/api/…` and the
 * Cloud API facade, under `/cloud-api/…` and Meta's `/v21.0/…`), taken from the Swagger
 * document so a new route is covered without touching this file. Hostile inputs: NUL bytes,
 * lone surrogates, deep JSON, repeated and huge query parameters, malformed %-escapes,
 * non-Latin-1 text in paths and headers, wrong types and nulls in every body field.
 *
 * Bad input must get a 4xx, never a 5xx, and must not poison the server: afterwards a normal
 * send is still accepted (202) and health is ok. Deterministic: FUZZ_SEED (default below)
 * fixes the requests, FUZZ_RUNS their number per database.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);

for (const kind of testDatabaseKinds()) {
  describe(`Hostile input on every route (${kind})`, () => {
    let t: TestApp;
    let files: { url: string; close(): Promise<void> };
    let sessionId: string;
    let mobid: string;
    let messageId: string;
    const ids: Record<string, string[]> = {};

    before(async () => {
      const m = await mediaFixtures();
      files = await serveAnyPath(m.png);
      t = await startTestApp({ database: await createTestDatabase(kind), env: { MEDIA_URL_ALLOWLIST: '127.0.0.1', MEDIA_FETCH_TIMEOUT_MS: '3000' } });
      ({ id: sessionId, mobid } = await linkedSandboxSession(t, '919800000001'));
      messageId = (await api(t).post('/api/messages/send').send({ sessionId, to: '919846303025', type: 'text', text: 'hi' }).expect(202)).body.message.id;
      // Things that exist, so hostile requests also reach the code behind the lookups.
      const image = await api(t).post('/api/messages/send').send({ sessionId, to: '919846303025', type: 'document', url: `${files.url}/%E6%97%A5%E6%9C%AC.png` }).expect(202);
      const upload = await api(t).post(`/v21.0/${sessionId}/media`).field('messaging_product', 'whatsapp').field('type', 'image/png').attach('file', m.png, { filename: 'p.png', contentType: 'image/png' }).expect(200);
      const template = await api(t)
        .post('/api/templates')
        .send({ name: 'order_update', language: 'en_US', sessionId, components: [{ type: 'BODY', text: 'Hi {{1}}' }] })
        .expect(201);
      const token = await api(t).post('/api/auth/tokens').send({ name: 'fuzz', sessionId }).expect(201);
      ids.id = [messageId, image.body.message.id, template.body.template?.id ?? template.body.id, token.body.id ?? token.body.token?.id].filter(Boolean);
      ids.mediaId = [upload.body.id, image.body.message.id];
    });

    after(async () => {
      closeAgent();
      await t?.destroy();
      await files?.close();
    });

    it(`answers every route's known bad inputs and ${RUNS} random hostile requests without a 5xx and stays healthy (seed ${SEED})`, { timeout: 240_000 }, async () => {
      const doc = (await api(t).get('/docs-json').expect(200)).body;
      const routes = routesOf(doc);
      assert.ok(routes.some((r) => r.path.startsWith('/api/')) && routes.some((r) => r.path.startsWith('/v21.0/')), 'both API surfaces are enumerated');
      const valid: Record<string, string[]> = {
        sessionId: [sessionId, mobid],
        phoneNumberId: [sessionId, mobid],
        wabaId: [mobid],
        id: [...ids.id, sessionId, mobid, upload0(ids.mediaId)],
        mediaId: ids.mediaId,
        contact: ['919846303025'],
      };
      const mediaUrls = ['/%zz', '/%00', '/%ED%A0%80', '/a%00b.png', '/%E6%97%A5%E6%9C%AC.png', '/photo.png?x=%zz'].map((p) => files.url + p);
      const requests: HostileRequest[] = [
        ...directedRequests(routes, valid, TEST_API_KEY, mediaUrls),
        ...fc.sample(hostileRequest(routes, valid, TEST_API_KEY, mediaUrls), { seed: SEED, numRuns: RUNS }),
      ];
      const failures: { label: string; path: string; status: number; body: string }[] = [];
      const started = Date.now();
      const statuses = new Map<number, number>();
      // A few at a time, like real clients; each answer is checked.
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < requests.length) {
            const r = requests[next++];
            const res = await send(t.url, r);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (process.env.FUZZ_REPORT && r.label.includes(' url ')) console.log(res.status, r.label, res.body.slice(0, 160));
            if (res.status >= 500 || res.status === 0) failures.push({ label: r.label, path: r.path.slice(0, 200), status: res.status, body: res.body.slice(0, 300) });
          }
        }),
      );
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const histogram = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ');
      console.log(`fuzz ${kind}: ${requests.length} requests in ${seconds}s, ${failures.length} answered 5xx or not at all (seed ${SEED}; statuses ${histogram})`);
      if (process.env.FUZZ_REPORT) writeFileSync(`${process.env.FUZZ_REPORT}.${kind}.json`, JSON.stringify(failures, null, 1));
      const byLabel = new Map<string, (typeof failures)[number]>();
      for (const f of failures) if (!byLabel.has(f.label)) byLabel.set(f.label, f);
      assert.deepEqual([...byLabel.values()].slice(0, 25), [], `${failures.length} of ${requests.length} requests got a 5xx or no answer`);

      // Not poisoned: health is ok and a normal send on a fresh session is still accepted.
      const health = await api(t).get('/api/health').expect(200);
      assert.equal(health.body.status, 'ok');
      const fresh = await linkedSandboxSession(t, '919800000002');
      await api(t).post('/api/messages/send').send({ sessionId: fresh.id, to: '919846303025', type: 'text', text: 'still here' }).expect(202);
    });
  });
}

function upload0(list: string[] | undefined): string {
  return list?.[0] ?? 'x';
}

/** Serves `body` as a PNG at every path, however malformed its escapes (the server decodes none). */
async function serveAnyPath(body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
