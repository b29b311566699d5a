import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { phoneNumberIdOf } from '../../src/common/utils/graph-ids';
import { api } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';

/**
 * GET /api/cluster and the `node` of session info on a single replica (the default), on
 * PostgreSQL (DATABASE_URL) and PGlite: the one node holds every session it runs, with no wait.
 */
for (const kind of testDatabaseKinds()) describe(`Cluster view of a single replica (${kind})`, () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ database: await createTestDatabase(kind), env: { NODE_ID: 'solo-1' } });
  });
  after(async () => {
    await t?.destroy();
  });

  it('shows the node alive, holding the sessions it runs, and names it in session info', async () => {
    const created = await api(t).post('/api/sessions').send({}).expect(201);
    const id = created.body.session.sessionId as string;
    await api(t).post(`/api/sessions/${id}/sandbox/link`).send({ phoneNumber: '15550730001' }).expect(200);
    const session = (await api(t).get(`/api/sessions/${id}`).expect(200)).body.session;
    assert.equal(session.status, 'READY');
    assert.equal(session.node, 'solo-1');
    const listed = (await api(t).get('/api/sessions').expect(200)).body.sessions.find((s: { sessionId: string }) => s.sessionId === id);
    assert.equal(listed.node, 'solo-1');

    const { body } = await api(t).get('/api/cluster').expect(200);
    assert.equal(body.node, 'solo-1');
    assert.equal(body.leaseTtlMs, 15_000);
    const me = body.nodes.find((n: { id: string }) => n.id === 'solo-1');
    assert.equal(me.alive, true);
    assert.equal(me.sessionCount, 1);
    assert.ok(Date.parse(me.lastSeen) >= Date.parse(me.startedAt));
    assert.deepEqual(body.sessions.map((s: { sessionId: string; node: string }) => [s.sessionId, s.node]), [[id, 'solo-1']]);
  });

  it('a stopped session is handed back: nobody holds it and it is not reported as running', async () => {
    const created = await api(t).post('/api/sessions').send({}).expect(201);
    const id = created.body.session.sessionId as string;
    await api(t).post(`/api/sessions/${id}/stop`).expect(200);
    const session = (await api(t).get(`/api/sessions/${id}`).expect(200)).body.session;
    assert.equal(session.status, 'INACTIVE');
    assert.equal(session.node, null);
    const { body } = await api(t).get('/api/cluster').expect(200);
    assert.equal(body.sessions.find((s: { sessionId: string }) => s.sessionId === id).node, null);
  });

  it("counts a session whose owner stopped renewing as DISCONNECTED in the dashboard, health and metrics, as session info shows it", async () => {
    const figures = async () => {
      const overview = (await api(t).get('/api/dashboard/overview').expect(200)).body;
      const resources = (await api(t).get('/api/health/resources').expect(200)).body;
      const metrics = (await api(t).get('/metrics').expect(200)).text as string;
      const gauge = (status: string) => Number(new RegExp(`^switchboard_sessions\\{status="${status}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
      return {
        overview: overview.overview.sessions.byStatus as Record<string, number>,
        health: resources.resources.sessions.byStatus as Record<string, number>,
        metrics: { READY: gauge('READY'), DISCONNECTED: gauge('DISCONNECTED'), INACTIVE: gauge('INACTIVE') } as Record<string, number>,
      };
    };
    const before = await figures();
    // A session another replica ran and stopped renewing (a kill -9): its row still says READY.
    // It runs on an engine this replica is not configured for, so a takeover cannot make it READY here either.
    const id = `qr_${Date.now()}_dead0001`;
    await t.dataSource.query(
      `INSERT INTO session (id, method, engine, status, active, phone_number_id) VALUES ($1, 'qr', 'baileys', 'READY', true, $2)`,
      [id, phoneNumberIdOf(id)],
    );
    await t.dataSource.query(`INSERT INTO session_lease (session_id, owner, expires_at, token) VALUES ($1, 'gone-1', now() - interval '1 second', 1)`, [id]);
    const info = (await api(t).get(`/api/sessions/${id}`).expect(200)).body.session;
    assert.ok(['DISCONNECTED', 'INACTIVE'].includes(info.status), info.status);
    const after = await figures();
    for (const where of ['overview', 'health', 'metrics'] as const) {
      assert.equal(after[where].READY ?? 0, before[where].READY ?? 0, `${where}: not counted READY`);
      // DISCONNECTED until this replica's next round takes it over (then INACTIVE: wrong engine).
      const down = (f: Record<string, number>) => (f.DISCONNECTED ?? 0) + (f.INACTIVE ?? 0);
      assert.equal(down(after[where]), down(before[where]) + 1, `${where}: counted as down`);
    }
  });

  it('is for admins only', async () => {
    const created = await api(t).post('/api/sessions').send({}).expect(201);
    const token = (await api(t).post('/api/auth/tokens').send({ name: 'bound', sessionId: created.body.session.sessionId }).expect(201)).body.token;
    const res = await api(t, token).get('/api/cluster').expect(403);
    assert.equal(res.body.error.code, 'ADMIN_REQUIRED');
    await api(t, null).get('/api/cluster').expect(401);
  });
});
