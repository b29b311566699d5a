import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from '../support/node-test';
import { linkedSandboxSession } from '../support/cloud-api';
import { api } from '../support/http';
import { mediaFixtures, pixelBombPng } from '../support/media-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * An image whose header declares more pixels than IMAGE_MAX_PIXELS is refused before it is
 * decoded, however it arrives: URL, base64, multipart upload, stored upload, on the native API
 * and on the Cloud API facade. The file here is 250 kB and declares 16000×16000 pixels.
 */
describe('Images beyond the pixel limit are refused before decoding', () => {
  let t: TestApp;
  let sessionId: string;
  let bomb: Buffer;
  let files: Server;
  let bombUrl: string;

  before(async () => {
    bomb = await pixelBombPng(16_000, 16_000);
    files = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'image/png', 'content-length': bomb.length }).end(bomb));
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    bombUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/bomb.png`;
    t = await startTestApp({ env: { MEDIA_URL_ALLOWLIST: '127.0.0.1', IMAGE_MAX_PIXELS: '50000000' } });
    sessionId = (await linkedSandboxSession(t, '919800000001')).id;
  });
  after(async () => {
    await t?.destroy();
    await new Promise((resolve) => files?.close(resolve));
  });

  const send = (body: Record<string, unknown>) => api(t).post('/api/messages/send').send({ sessionId, to: '919846303025', ...body });
  const refused = (res: { status: number; body: { error: { code: string; details?: { width?: number; height?: number; maxPixels?: number } } } }) => {
    assert.equal(res.status, 413, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'MEDIA_TOO_MANY_PIXELS');
  };

  it('native send: URL, base64, data URL, multipart file, image and sticker', async () => {
    const byUrl = await send({ type: 'image', url: bombUrl });
    refused(byUrl);
    assert.deepEqual(byUrl.body.error.details, { width: 16_000, height: 16_000, maxPixels: 50_000_000 });
    refused(await send({ type: 'image', data: bomb.toString('base64') }));
    refused(await send({ type: 'sticker', data: `data:image/png;base64,${bomb.toString('base64')}` }));
    refused(
      await api(t)
        .post('/api/messages/send')
        .field('sessionId', sessionId)
        .field('to', '919846303025')
        .field('type', 'image')
        .attach('file', bomb, { filename: 'bomb.png', contentType: 'image/png' }),
    );
  });

  it('Cloud API: upload and send by link are refused with Meta’s media error', async () => {
    const upload = await api(t)
      .post(`/v21.0/${sessionId}/media`)
      .field('messaging_product', 'whatsapp')
      .field('type', 'image/png')
      .attach('file', bomb, { filename: 'bomb.png', contentType: 'image/png' })
      .expect(400);
    assert.equal(upload.body.error.code, 131053);
    const link = await api(t)
      .post(`/v21.0/${sessionId}/messages`)
      .send({ messaging_product: 'whatsapp', to: '919846303025', type: 'image', image: { link: bombUrl } })
      .expect(400);
    assert.equal(link.body.error.code, 131053);
    assert.match(link.body.error.error_data.details, /IMAGE_MAX_PIXELS/);
  });

  it('images within the limit are still sent, and the server stays healthy', async () => {
    const { png } = await mediaFixtures();
    await send({ type: 'image', data: png.toString('base64') }).expect(202);
    await api(t).get('/api/health').expect(200);
  });
});
