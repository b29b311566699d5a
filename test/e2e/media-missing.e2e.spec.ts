import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { linkedSession, messageWithStatus } from '../support/factories';
import { api } from '../support/http';
import { mediaFixtures } from '../support/media-fixtures';
import { after, before, describe, it } from '../support/node-test';
import { startLocalS3, type LocalS3 } from '../support/s3-server';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { FAST_WEBHOOK_ENV, WebhookReceiver } from '../support/webhook-receiver';

/**
 * A message whose stored media object is gone from the storage backend when its turn to send
 * comes (deleted by an operator, a bucket lifecycle rule, a replica's disk lost): it fails at
 * once, FAILED with `MEDIA_MISSING` on the message and in its webhook, never retried.
 */
for (const backend of ['disk', 'postgres', 's3'] as const) {
  describe(`media missing at send time: MEDIA_STORAGE=${backend}`, () => {
    let t: TestApp;
    let receiver: WebhookReceiver;
    let session: { id: string };
    let s3: LocalS3 | undefined;

    before(async () => {
      receiver = await WebhookReceiver.start();
      if (backend === 's3') s3 = await startLocalS3();
      t = await startTestApp({ env: { ...FAST_QUEUE_ENV, ...FAST_WEBHOOK_ENV, ...(s3 ? s3.env : { MEDIA_STORAGE: backend }), QUEUE_MAX_ATTEMPTS: '5' } });
      session = await linkedSession(t, { disk: '15557360001', postgres: '15557360002', s3: '15557360003' }[backend]);
      await api(t).post('/api/webhooks').send({ url: `${receiver.url}/hook`, events: ['message.status'], sessionId: session.id }).expect(201);
    });
    after(async () => {
      await t?.destroy();
      await receiver?.close();
      await s3?.close();
    });

    /** Deletes the object from the backend itself, as an operator or a lifecycle rule would. */
    async function deleteObject(key: string): Promise<void> {
      if (backend === 'disk') return rmSync(join(t.dataDir, 'media', key));
      if (backend === 'postgres') return void (await t.dataSource.query('DELETE FROM media_object WHERE "key" = $1', [key]));
      const client = new S3Client({ endpoint: s3!.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3!.accessKeyId, secretAccessKey: s3!.secretAccessKey } });
      try {
        await client.send(new DeleteObjectCommand({ Bucket: s3!.bucket, Key: key }));
      } finally {
        client.destroy();
      }
    }

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
      await deleteObject(key);
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
