import assert from 'node:assert/strict';
import { after, describe, it } from '../support/node-test';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Linked sessions survive a server restart: the credentials are in the database, so the
 * next process restores them without a new QR. Runs on Postgres (DATABASE_URL) and on the
 * embedded PGlite default.
 */
for (const kind of ['auto', 'pglite'] as const) {
  describe(`restart restores linked sessions (${kind === 'auto' ? (process.env.DATABASE_URL ? 'postgres' : 'pglite') : 'pglite forced'})`, () => {
    let database: TestDatabase;
    let first: TestApp | undefined;
    let second: TestApp | undefined;

    after(async () => {
      await first?.close();
      await second?.destroy();
    });

    it('comes back READY with the same account and no QR', async () => {
      database = await createTestDatabase(kind);
      first = await startTestApp({ database });
      const { body } = await api(first).post('/api/sessions').send({ name: 'survivor' }).expect(201);
      const id = body.session.sessionId;
      await api(first).post(`/api/sessions/${id}/sandbox/link`).send({ phoneNumber: '15550199001' }).expect(200);
      const before = (await api(first).get(`/api/sessions/${id}`).expect(200)).body.session;
      const stopped = await api(first).post('/api/sessions').send({ name: 'stopped' }).expect(201);
      await api(first).post(`/api/sessions/${stopped.body.session.sessionId}/stop`).expect(200);
      await first.close();

      second = await startTestApp({ database, dataDir: first.dataDir });
      await second.registry.whenRestored();
      const after = await eventually(async () => {
        const s = (await api(second!).get(`/api/sessions/${id}`).expect(200)).body.session;
        return s.status === 'READY' ? s : null;
      });
      assert.equal(after.mobile_number, before.mobile_number);
      assert.equal(after.mobid, before.mobid);
      const qr = await api(second).get(`/api/sessions/${id}/qr`).expect(409);
      assert.equal(qr.body.error.code, 'SESSION_ALREADY_LINKED');
      // A stopped session stays stopped.
      const idle = (await api(second).get(`/api/sessions/${stopped.body.session.sessionId}`).expect(200)).body.session;
      assert.equal(idle.status, 'INACTIVE');
      assert.equal(second.registry.liveState(stopped.body.session.sessionId), null);
    });
  });
}
