import assert from 'node:assert/strict';
import { phoneNumberIdOf } from '../../src/common/utils/graph-ids';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from '../support/node-test';
import { linkedSandboxSession } from '../support/cloud-api';
import { api } from '../support/http';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';

/**
 * Each known class of bad input gets its precise 4xx on both API surfaces (the fuzz spec
 * checks the same classes on every route for "no 5xx"; this one pins the answers).
 */
for (const kind of testDatabaseKinds()) {
  describe(`Bad input is refused with a 4xx and a code (${kind})`, () => {
    let t: TestApp;
    let sessionId: string;
    let files: Server;
    let filesUrl: string;
    const pdf = (tag: string) =>
      Buffer.from(`%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% ${tag}\ntrailer<</Root 1 0 R>>\n%%EOF\n`);

    before(async () => {
      // Serves a distinct PDF at every path, escapes left as they came (it decodes nothing).
      files = createServer((req, res) => {
        const body = pdf(req.url ?? '');
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': body.length }).end(body);
      });
      await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
      filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
      t = await startTestApp({ database: await createTestDatabase(kind), env: { MEDIA_URL_ALLOWLIST: '127.0.0.1' } });
      sessionId = (await linkedSandboxSession(t, '919800000001')).id;
    });
    after(async () => {
      await t?.destroy();
      await new Promise((resolve) => files?.close(resolve));
    });

    const send = (body: Record<string, unknown>) => api(t).post('/api/messages/send').send({ sessionId, to: '919846303025', ...body });
    const rawSend = (json: string) => api(t).post('/api/messages/send').set('Content-Type', 'application/json').send(json);
    const field = (res: { body: { error: { code: string; details?: { fields?: { field: string }[] } } } }) => {
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      return res.body.error.details?.fields?.[0]?.field;
    };

    it('refuses NUL characters and lone surrogates in any string, then still sends', async () => {
      assert.equal(field(await send({ type: 'text', text: 'a\u0000b' }).expect(400)), 'text');
      assert.equal(field(await rawSend(`{"sessionId":"${sessionId}","to":"919846303025","type":"text","text":"x\\ud800y"}`).expect(400)), 'text');
      assert.equal(field(await send({ type: 'text', text: 'ok', idempotencyKey: 'k\u0000' }).expect(400)), 'idempotencyKey');
      assert.equal(field(await api(t).post('/api/sessions').send({ name: 'n\u0000' }).expect(400)), 'name');
      assert.equal(field(await api(t).get('/api/sessions/qr%00x').expect(400)), 'sessionId');
      assert.equal(field(await api(t).get('/api/contacts?q=%00').expect(400)), 'q');
      await send({ type: 'text', text: 'after the refusals' }).expect(202);
    });

    it('refuses JSON nested deeper than the limit', async () => {
      const deep = '['.repeat(10_000) + ']'.repeat(10_000);
      assert.equal(field(await rawSend(`{"sessionId":"${sessionId}","to":"919846303025","type":"text","text":${deep}}`).expect(400)), 'text' + '[0]'.repeat(31));
      assert.equal(field(await rawSend(deep).expect(400)), 'body' + '[0]'.repeat(32));
    });

    it('guards JSON inside multipart fields like a JSON body, and builds nested objects from it', async () => {
      const multipart = (field: string, value: string, type = field) =>
        api(t).post('/api/messages/send').field('sessionId', sessionId).field('to', '919846303025').field('type', type).field(field, value);
      const deep = '['.repeat(20_000) + ']'.repeat(20_000);
      assert.equal(field(await multipart('location', deep).expect(400)), 'location' + '[0]'.repeat(32));
      assert.equal(field(await multipart('location', '{"latitude":1,"longitude":2,"name":"a\\u0000"}').expect(400)), 'location.name');
      assert.equal(field(await multipart('mentions', '["\\ud800"]', 'text').field('text', 'hi').expect(400)), 'mentions[0]');
      const sent = await multipart('location', '{"latitude":12.97,"longitude":77.59,"name":"Office"}').expect(202);
      const stored = await api(t).get(`/api/messages/${sent.body.message.id}`).expect(200);
      assert.deepEqual(stored.body.message.content.location, { latitude: 12.97, longitude: 77.59, name: 'Office' });
    });

    it('refuses null for a field that is not nullable (text: null is not an absent text)', async () => {
      assert.equal(field(await send({ type: 'text', text: null }).expect(400)), 'text');
      assert.equal(field(await send({ type: 'image', url: null, text: 'x' }).expect(400)), 'url');
    });

    it('refuses repeated scalar query parameters and pages beyond the bound', async () => {
      assert.equal(field(await api(t).get('/api/sessions?page=1&page=2').expect(400)), 'page');
      assert.equal(field(await api(t).get('/api/messages?limit=5&limit=6').expect(400)), 'limit');
      assert.equal(field(await api(t).get('/api/sessions?page=99999999999999999999').expect(400)), 'page');
      assert.equal(field(await api(t).get('/api/contacts?page=9223372036854775807').expect(400)), 'page');
      assert.equal(field(await api(t).get(`/api/sessions/${sessionId}/contacts?page=100001`).expect(400)), 'page');
      await api(t).get('/api/sessions?page=100000').expect(200);
      const hugeCursor = Buffer.from('s:99999999999999999999999').toString('base64url');
      assert.equal(field(await api(t).get(`/api/messages?cursor=${hugeCursor}`).expect(400)), 'cursor');
    });

    it('refuses a token lifetime that is no date', async () => {
      assert.equal(field(await api(t).post('/api/auth/tokens').send({ name: 'forever', expiresIn: '9999999999d' }).expect(400)), 'expiresIn');
      await api(t).post('/api/auth/tokens').send({ name: 'year', expiresIn: '365d' }).expect(201);
    });

    it('decodes contacts in paths safely', async () => {
      const res = await api(t).patch(`/api/sessions/${sessionId}/contacts/%25zz`).send({ optIn: 'yes' }).expect(400);
      assert.equal(res.body.error.code, 'RECIPIENT_INVALID');
    });

    it('takes media URLs with malformed escapes and serves any file name in a valid Content-Disposition', async () => {
      for (const path of ['/%zz', '/%00.pdf', '/%ED%A0%80.pdf', '/a%25zz.pdf']) {
        await send({ type: 'document', url: filesUrl + path }).expect(202);
      }
      const sent = await send({ type: 'document', url: `${filesUrl}/%E6%97%A5%E6%9C%AC%20%22q%22.pdf` }).expect(202);
      const res = await api(t).get(`/api/messages/${sent.body.message.id}/media`).expect(200);
      assert.equal(res.headers['content-disposition'], `inline; filename="__ _q_.pdf"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%20%22q%22.pdf`);
    });

    it('serves a Cloud API upload declared with a non-ASCII type parameter under its plain type', async () => {
      const upload = await api(t)
        .post(`/v21.0/${sessionId}/media`)
        .field('messaging_product', 'whatsapp')
        .field('type', 'application/pdf; name=日本')
        .attach('file', pdf('upload'), { filename: '日本.pdf', contentType: 'application/pdf' })
        .expect(200);
      const info = await api(t).get(`/v21.0/${upload.body.id}`).expect(200);
      assert.equal(info.body.mime_type, 'application/pdf');
      const url = new URL(info.body.url);
      const download = await api(t).get(`${url.pathname}${url.search}`).expect(200);
      assert.equal(download.headers['content-type'], 'application/pdf');
    });

    it('answers non-Latin-1 Cloud API paths in Meta’s format with an ASCII WWW-Authenticate', async () => {
      const res = await api(t).get('/v21.0/%E6%97%A5%E6%9C%AC').expect(400);
      assert.equal(res.body.error.code, 100);
      assert.match(res.body.error.message, /日本/);
      assert.match(String(res.headers['www-authenticate']), /^OAuth "Facebook Platform" "invalid_request" "[\x20-\x7e]*"$/);
      const nul = await api(t).post(`/v21.0/${sessionId}/messages`).send({ messaging_product: 'whatsapp', to: '919846303025', type: 'text', text: { body: 'a\u0000' } }).expect(400);
      assert.equal(nul.body.error.code, 100);
      const repeated = await api(t).get(`/v21.0/${sessionId}?fields=id&fields=verified_name`).expect(400);
      assert.equal(repeated.body.error.code, 100);
      const noToken = await api(t, null).get(`/v21.0/${sessionId}?access_token=${TEST_API_KEY}`).expect(200);
      assert.equal(noToken.body.id, phoneNumberIdOf(sessionId));
    });
  });
}
