import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { linkedSandboxSession } from '../support/cloud-api';
import { api } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Media URLs that name loopback, private or link-local addresses in any spelling are refused
 * before a connection is made, on the native send and on the Cloud API facade.
 */
describe('Media URLs may not reach private addresses, however they are written', () => {
  let t: TestApp;
  let sessionId: string;

  before(async () => {
    t = await startTestApp();
    sessionId = (await linkedSandboxSession(t, '919800000001')).id;
  });
  after(async () => {
    await t?.destroy();
  });

  const HOSTS = [
    '127.0.0.1',
    '0x7f.1',
    '[::1]',
    '[::127.0.0.1]',
    '[::ffff:127.0.0.1]',
    '[::ffff:0:7f00:1]',
    '[2002:7f00:1::]',
    '[64:ff9b::7f00:1]',
    '[2001:0:4136:e378:8000:63bf:80ff:fffe]',
    '[::ffff:169.254.169.254]',
    '[2002:a9fe:a9fe::]',
    '[fe80::1]',
    '[fd00::1]',
    '10.0.0.1',
    '169.254.169.254',
  ];

  it('refuses each spelling with MEDIA_URL_FORBIDDEN on the native send', async () => {
    for (const host of HOSTS) {
      const res = await api(t).post('/api/messages/send').send({ sessionId, to: '919846303025', type: 'image', url: `http://${host}:9/photo.png` });
      assert.equal(res.status, 400, `${host}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'MEDIA_URL_FORBIDDEN', host);
    }
  });

  it('refuses each spelling with Meta’s parameter error on the Cloud API facade', async () => {
    for (const host of HOSTS) {
      const res = await api(t)
        .post(`/v21.0/${sessionId}/messages`)
        .send({ messaging_product: 'whatsapp', to: '919846303025', type: 'image', image: { link: `http://${host}:9/photo.png` } });
      assert.equal(res.status, 400, `${host}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 131009, host);
    }
  });
});
