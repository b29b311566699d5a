import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { linkedSession, messageWithStatus } from '../support/factories';
import { api } from '../support/http';
import { mediaFixtures } from '../support/media-fixtures';
import { after, before, describe, it } from '../support/node-test';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { FAST_WEBHOOK_ENV, WebhookReceiver } from '../support/webhook-receiver';

/**
 * A message whose stored media object is gone from the storage backend when its turn to send
 * comes (deleted by an operator, a bucket lifecycle rule, a replica's disk lost): it fails at
 * once, FAILED with `MEDIA_MISSING` on the message and in its webhook, never retried.
 */
for (const backend of ['disk', 'postgres'] as const) {
  describe(`media missing at send time: MEDIA_STORAGE=${backend}`, () => {
    let t: TestApp;
    let receiver: WebhookReceiver;
    let session: { id: string };

    before(async () => {
      receiver = await WebhookReceiver.start();
      t = await startTestApp({ env: { ...FAST_QUEUE_ENV, ...FAST_WEBHOOK_ENV, MEDIA_STORAGE: backend, QUEUE_MAX_ATTEMPTS: '5' } });
      session = await linkedSession(t, backend === 'disk' ? '15557360001' : '15557360002');
      await api(t).post('/api/webhooks').send({ url: `${receiver.url}/hook`, events: ['message.status'], sessionId: session.id }).expect(201);
    });
    after(async () => {
      await t?.destroy();
      await receiver?.close();
    });

    it('fails the message permanently with MEDIA_MISSING, visible on the message and in its webhook', async () => {
      // Queued while the session is stopped, so the object can go before the send is tried.
      await api(t).post(`/api/sessions/${session.id}/stop`).expect(200);
      const fx = await mediaFixtures();
      const accepted = await api(t)
        .post('/api/messages/send')
        .send({ sessionId: session.id, to: '15557369999', type: 'image', data: fx.png.toString('base64'), caption: 'gone before sending' })
        .expect(202);
      const id = accepted.body.message.id as string;
      const [{ storage_key: key }] = await t.dataSource.query('SELECT m.storage_key FROM message msg JOIN media m ON m.id = msg.media_id WHERE msg.id = $1', [id]);
      if (backend === 'disk') rmSync(join(t.dataDir, 'media', key));
      else await t.dataSource.query('DELETE FROM media_object WHERE "key" = $1', [key]);
      // A replica without a cached copy (the cache is disposable).
      rmSync(join(t.dataDir, 'media', '.cache'), { recursive: true, force: true });

      await api(t).post(`/api/sessions/${session.id}/start`).expect(200);
      const failed = await messageWithStatus(t, id, 'FAILED', 20_000);
      assert.equal(failed.error?.code, 'MEDIA_MISSING', JSON.stringify(failed.error));
      assert.equal(failed.attempts, 1, 'not retried');
      const hook = await waitFor(
        () => receiver.accepted.map((r) => r.body).find((b) => b.event === 'message.status' && b.data.messageId === id && b.data.status === 'FAILED'),
        { timeout: 15_000, what: 'the FAILED status webhook' },
      );
      assert.equal(hook.data.error.code, 'MEDIA_MISSING', JSON.stringify(hook.data));
      assert.ok(!receiver.accepted.some((r) => r.body.data?.messageId === id && r.body.data?.status === 'QUEUED' && r.body.data?.error), 'never put back for a retry');
    });
  });
}
