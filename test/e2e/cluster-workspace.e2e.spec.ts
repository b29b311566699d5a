import assert from 'node:assert/strict';
import { wabaIdOf } from '../../src/common/utils/graph-ids';
import { CloudWebhookReceiver } from '../support/cloud-webhook-receiver';
import { eventually } from '../support/http';
import { after, before, describe, it } from '../support/node-test';
import { callServer } from '../support/server-process';
import { TEST_API_KEY } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { Replicas } from '../support/replicas';

const SECRET = 'meta-app-secret-0123456789';
const VERIFY = 'workspace-verify-token';

/**
 * Two replicas (separate processes, one PostgreSQL): a session's workspace changed through the
 * replica that does not run it shows at once in the Meta-format webhooks the running replica
 * posts (`entry[].id`, the WABA id of the workspace), with no reconnect.
 */
describe('A workspace change through another replica', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL (PGlite serves a single process)' }, () => {
  let database: TestDatabase;
  let crm: CloudWebhookReceiver;
  const replicas = new Replicas('workspace');
  const nodes = replicas.nodes;

  before(async () => {
    database = await createTestDatabase('postgres');
    crm = await CloudWebhookReceiver.start(SECRET, VERIFY);
  });
  after(async () => {
    await replicas.stopAll();
    await crm?.close();
    await database?.drop();
  });

  async function startNode(nodeId: string): Promise<void> {
    await replicas.start(database.url, nodeId, { MASTER_KEY: 'ef'.repeat(32), DEFAULT_MIN_DELAY_MS: '0', DEFAULT_MAX_DELAY_MS: '0' });
  }

  const call = (nodeId: string, path: string, init?: RequestInit) => callServer(nodes.get(nodeId)!.url, TEST_API_KEY, path, init);

  it('shows in entry[].id of the next webhook the running replica posts', async () => {
    await startNode('a');
    const created = await call('a', '/api/sessions', { method: 'POST', body: JSON.stringify({ name: 'workspace moves' }) });
    const id = created.body.session.sessionId as string;
    assert.equal((await call('a', `/api/sessions/${id}/sandbox/link`, { method: 'POST', body: JSON.stringify({ phoneNumber: '15550380001' }) })).status, 200);
    const hook = await call('a', '/api/webhooks', { method: 'POST', body: JSON.stringify({ url: crm.url, sessionId: id, format: 'cloud-api', verifyToken: VERIFY, secret: SECRET }) });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    await startNode('b');
    const inbound = async (text: string) => {
      // Sandbox controls run on the replica running the session (b forwards them to a).
      assert.equal((await call('b', `/api/sessions/${id}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from: '16505550001', text }) })).status, 202);
      return eventually(async () => crm.accepted.find((p) => p.body.entry[0].changes[0].value.messages?.[0]?.text?.body === text), 15_000);
    };
    assert.equal((await inbound('before the move')).body.entry[0].id, wabaIdOf(null));
    const { body: cluster } = await call('b', '/api/cluster');
    assert.equal(cluster.sessions.find((s: { sessionId: string }) => s.sessionId === id).node, 'a', 'a runs the session');

    // Moved to a workspace through b: a hears no settings event of b's.
    const patched = await call('b', `/api/sessions/${id}/settings`, { method: 'PATCH', body: JSON.stringify({ workspace: 'acme' }) });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal((await inbound('after the move')).body.entry[0].id, wabaIdOf('acme'));
    // And back, through b again.
    assert.equal((await call('b', `/api/sessions/${id}/settings`, { method: 'PATCH', body: JSON.stringify({ workspace: null }) })).status, 200);
    assert.equal((await inbound('moved back')).body.entry[0].id, wabaIdOf(null));
  });
});
