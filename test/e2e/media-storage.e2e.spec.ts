import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { sandboxOf, sentByWamid } from '../support/cloud-api';
import { linkedSession } from '../support/factories';
import { api, eventually } from '../support/http';
import { mediaFixtures, serveFiles, type FileServer, type MediaFixtures } from '../support/media-fixtures';
import { after, before, describe, it } from '../support/node-test';
import { startLocalS3, type LocalS3 } from '../support/s3-server';
import { startServerProcess } from '../support/server-process';
import { FAST_QUEUE_ENV, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)));
}

/**
 * The app with a shared media backend (S3-compatible storage through the SDK against a local
 * s3rver, and the Postgres table): media uploaded through the native API and the Cloud API
 * facade, and a text-to-speech voice note, are sent through the sandbox engine and downloaded
 * back; the app's own disk holds nothing but the disposable cache, and a restart with the cache
 * wiped serves the same bytes from the backend.
 */
for (const backend of ['s3', 'postgres'] as const) {
  describe(`media on a shared backend: MEDIA_STORAGE=${backend}`, () => {
    let s3: LocalS3 | undefined;
    let t: TestApp;
    let files: FileServer;
    let fx: MediaFixtures;
    let session: { id: string };
    let env: Record<string, string>;

    before(async () => {
      fx = await mediaFixtures();
      files = await serveFiles({ 'tone.wav': fx.wav });
      if (backend === 's3') s3 = await startLocalS3();
      env = { ...FAST_QUEUE_ENV, MEDIA_URL_ALLOWLIST: '127.0.0.1', ...(s3 ? { ...s3.env, S3_KEY_PREFIX: 'sb/' } : { MEDIA_STORAGE: 'postgres' }) };
      t = await startTestApp({ env });
      session = await linkedSession(t, '15557300001');
    });
    after(async () => {
      await t?.destroy();
      await files?.close();
      await s3?.close();
    });

    /** Keys the backend holds, read from the backend itself. */
    const backendKeys = async (): Promise<string[]> => {
      if (s3) {
        const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
        try {
          const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
          return (listed.Contents ?? []).map((o) => o.Key!);
        } finally {
          client.destroy();
        }
      }
      const rows: { key: string }[] = await t.dataSource.query('SELECT "key" FROM "media_object"');
      return rows.map((r) => r.key);
    };
    const keyOf = (k: string) => (s3 ? `sb/${k}` : k);
    const cacheDir = () => join(t.dataDir, 'media', '.cache');
    const message = async (id: string) => (await api(t).get(`/api/messages/${id}`).expect(200)).body.message;
    const outbox = () => sandboxOf(t, session.id).outbox();
    const sent = (waMessageId: string) => eventually(async () => outbox().find((m) => m.id === waMessageId), 15_000);

    const uploads: { messageId: string; bytes: Buffer }[] = [];

    it('sends native uploads (image, voice by URL, text-to-speech) from files in the cache, the bytes in the backend', async () => {
      const image = await api(t)
        .post('/api/messages/send')
        .field('sessionId', session.id)
        .field('to', '15557300099')
        .field('type', 'image')
        .attach('file', fx.png, { filename: 'red.png', contentType: 'image/png' })
        .expect(202);
      const img = await sent(image.body.message.waMessageId);
      assert.ok(img.content.kind === 'image');
      assert.ok(img.content.media.path.startsWith(cacheDir() + '/'), `engine streams from the cache: ${img.content.media.path}`);
      assert.equal((await sharp(img.content.media.path).metadata()).format, 'jpeg');
      const jpeg = readFileSync(img.content.media.path);
      const sha = createHash('sha256').update(jpeg).digest('hex');
      assert.ok((await backendKeys()).includes(keyOf(`${sha.slice(0, 2)}/${sha}.jpg`)), 'the jpeg is in the backend under its content hash');
      assert.equal((await message(image.body.message.id)).media.size, jpeg.length);
      uploads.push({ messageId: image.body.message.id, bytes: jpeg });

      const voice = await api(t).post('/api/messages/send').send({ sessionId: session.id, to: '15557300099', type: 'voice', url: `${files.url}/tone.wav` }).expect(202);
      const v = await sent(voice.body.message.waMessageId);
      assert.ok(v.content.kind === 'voice' && v.content.media.path.startsWith(cacheDir() + '/'));
      assert.equal(v.content.media.mimetype, 'audio/ogg; codecs=opus');
      uploads.push({ messageId: voice.body.message.id, bytes: readFileSync(v.content.media.path) });

      const spoken = await api(t).post('/api/messages/send').send({ sessionId: session.id, to: '15557300099', type: 'voice', text: 'Your order has shipped.' }).expect(202);
      const s = await sent(spoken.body.message.waMessageId);
      assert.ok(s.content.kind === 'voice' && s.content.media.path.startsWith(cacheDir() + '/'));
      assert.ok(s.content.seconds >= 1);
      uploads.push({ messageId: spoken.body.message.id, bytes: readFileSync(s.content.media.path) });
      const keys = await backendKeys();
      assert.ok(keys.some((k) => k.startsWith(keyOf('tts-cache/')) && k.endsWith('.ogg')), `the TTS cache is in the backend: ${keys.join(', ')}`);

      for (const u of uploads) {
        const down = await api(t).get(`/api/messages/${u.messageId}/media`).buffer(true).expect(200);
        assert.ok(Buffer.from(down.body).equals(u.bytes), 'downloaded bytes are the sent bytes');
      }
    });

    it('uploads, sends, downloads and deletes through the Cloud API facade', async () => {
      const up = await api(t).post(`/v21.0/${session.id}/media`).field('messaging_product', 'whatsapp').field('type', 'application/pdf').attach('file', fx.pdf, { filename: 'invoice.pdf', contentType: 'application/pdf' }).expect(200);
      const res = await api(t).post(`/v21.0/${session.id}/messages`).send({ messaging_product: 'whatsapp', to: '15557300098', type: 'document', document: { id: up.body.id, filename: 'inv.pdf' } }).expect(200);
      const doc = await sentByWamid(t, session.id, res.body.messages[0].id);
      assert.ok(doc.content.kind === 'document' && doc.content.media.path.startsWith(cacheDir() + '/'));
      assert.ok(readFileSync(doc.content.media.path).equals(fx.pdf));

      const info = await api(t).get(`/v21.0/${up.body.id}?phone_number_id=${session.id}`).expect(200);
      const bytes = await api(t).get(info.body.url.slice(t.url.length)).buffer(true).expect(200);
      assert.ok(Buffer.from(bytes.body).equals(fx.pdf));

      // An upload no message uses: deleting it deletes its bytes in the backend.
      const lone = Buffer.from('%PDF-1.4\n% only uploaded, never sent\n%%EOF\n');
      const up2 = await api(t).post(`/v21.0/${session.id}/media`).field('messaging_product', 'whatsapp').field('type', 'application/pdf').attach('file', lone, { filename: 'x.pdf', contentType: 'application/pdf' }).expect(200);
      const sha = (await api(t).get(`/v21.0/${up2.body.id}?phone_number_id=${session.id}`).expect(200)).body.sha256 as string;
      const loneKey = keyOf(`${sha.slice(0, 2)}/${sha}.pdf`);
      assert.ok((await backendKeys()).includes(loneKey));
      await api(t).delete(`/v21.0/${up2.body.id}?phone_number_id=${session.id}`).expect(200);
      assert.ok(!(await backendKeys()).includes(loneKey), 'deleted from the backend');
      assert.ok((await backendKeys()).includes(keyOf(`${info.body.sha256.slice(0, 2)}/${info.body.sha256}.pdf`)), 'the sent upload stays');
    });

    it('writes nothing under the local media dir but the cache, and serves the bytes again with the cache wiped', async () => {
      const local = filesUnder(join(t.dataDir, 'media'));
      assert.ok(local.length > 0);
      assert.deepEqual(local.filter((f) => !f.startsWith('.cache/')), [], 'only cached copies on this disk');
      assert.equal(existsSync(join(t.dataDir, 'tts-cache')), false, 'no TTS cache on this disk');

      await t.close();
      rmSync(join(t.dataDir, 'media'), { recursive: true, force: true });
      t = await startTestApp({ env, database: t.database, dataDir: t.dataDir });
      for (const u of uploads) {
        const down = await api(t).get(`/api/messages/${u.messageId}/media`).buffer(true).expect(200);
        assert.ok(Buffer.from(down.body).equals(u.bytes), 'served from the backend after the restart');
      }
      assert.deepEqual(filesUnder(join(t.dataDir, 'media')).filter((f) => !f.startsWith('.cache/')), []);
    });

    if (backend === 's3') {
      it('refuses to boot on a bucket that does not exist, naming it, and never logs the secret', async () => {
        const database = await createTestDatabase();
        const dataDir = mkdtempSync(join(tmpdir(), 'sb-s3-boot-'));
        const secret = 'boot-secret-4711';
        try {
          await assert.rejects(
            startServerProcess({ ...env, S3_BUCKET: 'missing-bucket', S3_SECRET_ACCESS_KEY: secret, DATA_DIR: dataDir, DATABASE_URL: database.url, API_KEY: TEST_API_KEY, WA_ENGINE: 'sandbox', LOG_LEVEL: 'debug' }),
            (err: Error) => {
              assert.match(err.message, /server exited early/);
              assert.match(err.message, /bucket 'missing-bucket' at http:\/\/127\.0\.0\.1:\d+ does not exist/);
              assert.ok(!err.message.includes(secret), 'the secret is in no log line');
              return true;
            },
          );
        } finally {
          await database.drop();
          rmSync(dataDir, { recursive: true, force: true });
        }
      });
    }
  });
}
