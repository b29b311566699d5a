import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { callServer, SIMULATOR_PRELOAD, type ServerProcess } from '../support/server-process';
import { simulatorProcessEnv } from '../support/simulator-env';
import { TEST_API_KEY } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait';
import { WaSimulator } from '../wa-sim/wa-simulator';
import { Replicas } from '../support/replicas';

const TTL_MS = 6_000;
const PHONES_PHONE = '15550730001';
const DEVICE_TOKEN = 'cluster-device-1';
const LINK_PHONES = ['15550730002', '15550730003', '15550730004'];

/**
 * The product APIs under /compat on two replicas (separate processes, one PostgreSQL, real
 * Baileys through the simulator): their calls that need the live socket (group reads, number
 * checks, typing, QR and linking state, reachability) answer the same through the replica that
 * does not run the session, which forwards them to the one that does; and a call without a
 * valid credential is refused by the first replica with the owner's own 401, never forwarded.
 */
describe('Product APIs on any replica', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL (PGlite serves a single process)' }, () => {
  let database: TestDatabase;
  let sim: WaSimulator;
  const replicas = new Replicas('cluster-compat');
  const nodes = replicas.nodes;
  /** API → native session id */
  const sessionOf = new Map<string, string>();
  let connectionId = '';

  before(async () => {
    database = await createTestDatabase('postgres');
    sim = new WaSimulator({ logErrors: false });
    await sim.start();
  });
  after(async () => {
    await replicas.stopAll();
    await sim?.stop();
    await database?.drop();
  });

  async function startNode(nodeId: string): Promise<ServerProcess> {
    return replicas.start(database.url, nodeId, {
      ...simulatorProcessEnv(sim),
      SESSION_LEASE_TTL_MS: String(TTL_MS),
      MASTER_KEY: 'cd'.repeat(32),
    }, { preload: SIMULATOR_PRELOAD });
  }


  const call = (nodeId: string, path: string, init?: RequestInit) => callServer(nodes.get(nodeId)!.url, TEST_API_KEY, path, init);

  /** A raw call, for headers: `credential` false sends none. */
  async function raw(nodeId: string, path: string, init: RequestInit & { credential?: false | string } = {}): Promise<{ status: number; body: any; node: string | null }> {
    const { credential, ...rest } = init;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...((rest.headers as Record<string, string>) ?? {}) };
    if (credential !== false) headers.authorization = `Bearer ${credential ?? TEST_API_KEY}`;
    const res = await fetch(`${nodes.get(nodeId)!.url}${path}`, { ...rest, headers });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, node: res.headers.get('x-switchboard-node') };
  }

  /** A body as JSON without what differs between two calls (request ids, times). */
  const stripIds = (b: unknown) => JSON.stringify(b).replace(/"(requestId|request_id|timestamp)":"[^"]*",?/g, '');

  async function ownerOf(sessionId: string): Promise<string | null> {
    const { body } = await call('a', '/api/cluster');
    return (body.sessions as { sessionId: string; node: string | null }[]).find((s) => s.sessionId === sessionId)?.node ?? null;
  }

  it('sessions made through each product API are linked on one replica, then split over two', async () => {
    await startNode('a');
    // phones: a phone, linking by QR
    assert.equal((await call('a', '/compat/phones/api/v1/user/phones', { method: 'POST', body: JSON.stringify({ phone: `+${PHONES_PHONE}` }) })).status, 201);
    const connect = await call('a', `/compat/phones/api/v1/user/phones/${PHONES_PHONE}/connect`, { method: 'POST', body: '{}' });
    assert.equal(connect.status, 200, JSON.stringify(connect.body));
    await sim.scan(connect.body.data.qr, PHONES_PHONE);
    // devices: a device token
    const started = await call('a', '/compat/devices/api/start', { method: 'POST', body: JSON.stringify({ token: DEVICE_TOKEN }) });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    // connections: a customer's connection
    const requested = await call('a', '/compat/connections/api/v1/connections/request', { method: 'POST', body: JSON.stringify({ customerId: 'cluster-customer', customerName: 'Cluster Customer' }) });
    assert.ok([200, 201].includes(requested.status), JSON.stringify(requested.body));
    connectionId = requested.body.data.connection.id;
    // gateway: its default session, made by the first status call
    assert.equal((await call('a', '/compat/gateway/api/status')).status, 200);

    // Link the three others through their native QR.
    const { body } = await call('a', '/api/sessions');
    const all = body.sessions as { sessionId: string; name: string; status: string }[];
    assert.equal(all.length, 4);
    const byName = (pred: (name: string) => boolean) => all.find((s) => pred(s.name))!.sessionId;
    sessionOf.set('phones', byName((n) => n.startsWith('phones ')));
    sessionOf.set('devices', byName((n) => n === DEVICE_TOKEN));
    sessionOf.set('gateway', byName((n) => n === 'default'));
    sessionOf.set('connections', all.find((s) => ![...sessionOf.values()].includes(s.sessionId))!.sessionId);
    for (const [i, api] of ['devices', 'connections', 'gateway'].entries()) {
      const id = sessionOf.get(api)!;
      const qr = await waitFor(async () => (await call('a', `/api/sessions/${id}/qr`)).body.qr as string | undefined, { timeout: 20_000, what: `${api} QR` });
      await sim.scan(qr, LINK_PHONES[i]);
    }
    const ready = async (via: string) => {
      for (const id of sessionOf.values()) if ((await call(via, `/api/sessions/${id}`)).body.session.status !== 'READY') return false;
      return true;
    };
    await waitFor(() => ready('a'), { timeout: 40_000, what: 'four sessions READY on a' });

    await startNode('b');
    await waitFor(
      async () => {
        const owners = await Promise.all([...sessionOf.values()].map(ownerOf));
        return owners.filter((n) => n === 'a').length === 2 && owners.filter((n) => n === 'b').length === 2 && (await ready('b'));
      },
      { timeout: 60_000, what: 'a 2 + 2 split, every session READY' },
    );
  });

  /** The replica that does not run the API's session, and the one that does. */
  async function sides(api: string): Promise<{ other: string; owner: string }> {
    const owner = (await ownerOf(sessionOf.get(api)!))!;
    return { owner, other: owner === 'a' ? 'b' : 'a' };
  }

  it('phones: number checks, typing and group reads through the replica that does not run the phone', async () => {
    const { owner, other } = await sides('phones');
    const contact = sim.addContact('15550740001', 'Cluster contact');
    const base = `/compat/phones/api/v1/user/phones/${PHONES_PHONE}`;
    const checked = await raw(other, `${base}/has-whatsapp`, { method: 'POST', body: JSON.stringify({ recipient: contact.phoneNumber }) });
    assert.equal(checked.status, 200, JSON.stringify(checked.body));
    assert.equal(checked.node, owner, 'answered by the replica running the session');
    assert.equal(checked.body.data.exists, true);
    const byQuery = await raw(other, `${base}/has-whatsapp?recipient=15550749999`);
    assert.equal(byQuery.status, 200, JSON.stringify(byQuery.body));
    assert.equal(byQuery.body.data.exists, false);
    const typing = await raw(other, `${base}/typing`, { method: 'POST', body: JSON.stringify({ recipient: contact.phoneNumber, isTyping: true }) });
    assert.equal(typing.status, 200, JSON.stringify(typing.body));
    assert.equal(typing.node, owner);
    // Group reads: the owner's own answer, whatever the simulator supports (it keeps no groups).
    const groups = await raw(other, `${base}/groups`);
    const direct = await raw(owner, `${base}/groups`);
    assert.equal(groups.node, owner);
    assert.equal(groups.status, direct.status, JSON.stringify(groups.body));
    assert.equal(stripIds(groups.body), stripIds(direct.body));
    // Linking state from the socket: connect on a linked phone answers "connected" at once.
    const connect = await raw(other, `${base}/connect`, { method: 'POST', body: '{}' });
    assert.equal(connect.status, 200, JSON.stringify(connect.body));
    assert.equal(connect.node, owner);
    assert.equal(connect.body.data.status, 'connected');
  });

  it('devices: groups, the QR route (the profile once linked) and reconnect through the replica that does not run the device', async () => {
    const { owner, other } = await sides('devices');
    const headers = { apikey: TEST_API_KEY };
    const groups = await raw(other, `/compat/devices/api/groups?token=${DEVICE_TOKEN}`, { credential: false, headers });
    const direct = await raw(owner, `/compat/devices/api/groups?token=${DEVICE_TOKEN}`, { credential: false, headers });
    assert.equal(groups.node, owner);
    assert.equal(groups.status, direct.status, JSON.stringify(groups.body));
    assert.equal(stripIds(groups.body), stripIds(direct.body));
    const qrcode = await raw(other, '/compat/devices/api/qrcode', { method: 'POST', credential: false, headers, body: JSON.stringify({ token: DEVICE_TOKEN }) });
    assert.equal(qrcode.status, 200, JSON.stringify(qrcode.body));
    assert.equal(qrcode.node, owner);
    assert.equal(qrcode.body.message, 'AUTHENTICATED', JSON.stringify(qrcode.body));
    // A restart through the other replica runs where the session is: it stays there.
    const restarted = await raw(other, '/compat/devices/api/start', { method: 'POST', credential: false, headers, body: JSON.stringify({ token: DEVICE_TOKEN }) });
    assert.equal(restarted.status, 200, JSON.stringify(restarted.body));
    assert.equal(restarted.node, owner);
    await waitFor(async () => (await call(owner, `/api/sessions/${sessionOf.get('devices')}`)).body.session.status === 'READY', { timeout: 20_000, what: 'device READY again' });
    assert.equal(await ownerOf(sessionOf.get('devices')!), owner);
  });

  it('connections: status (reachable) and activate through the replica that does not run the connection', async () => {
    const { owner, other } = await sides('connections');
    const status = await raw(other, `/compat/connections/api/v1/connections/status?connectionId=${connectionId}`);
    assert.equal(status.status, 200, JSON.stringify(status.body));
    assert.equal(status.node, owner);
    assert.equal(status.body.data.isReachable, true, 'reachable: the owner runs its socket');
    assert.equal(status.body.data.status, 'connected');
    const activated = await raw(other, '/compat/connections/api/v1/connections/activate', { method: 'POST', body: JSON.stringify({ connectionId }) });
    assert.equal(activated.status, 200, JSON.stringify(activated.body));
    assert.equal(activated.node, owner);
    assert.equal(activated.body.data.connection.status, 'connected');
    // The dashboard counts a connection another replica runs as reachable too (from either replica).
    for (const via of [owner, other]) {
      const overview = await raw(via, '/compat/connections/api/v1/dashboard/overview');
      assert.equal(overview.status, 200, JSON.stringify(overview.body));
      assert.equal(overview.body.data.reachable, 1, `${via}: ${JSON.stringify(overview.body.data)}`);
    }
  });

  it('gateway: the default session\'s status through the replica that does not run it', async () => {
    const { owner, other } = await sides('gateway');
    const status = await raw(other, '/compat/gateway/api/status');
    assert.equal(status.status, 200, JSON.stringify(status.body));
    assert.equal(status.node, owner);
    assert.equal(status.body.status, 'online');
  });

  it('a call without a valid credential gets the first replica\'s 401, the same as the owner\'s, and is not forwarded', async () => {
    const cases: { api: string; path: string; init?: RequestInit & { credential?: false | string } }[] = [
      { api: 'phones', path: `/api/sessions/${sessionOf.get('phones')}/groups` },
      { api: 'phones', path: `/compat/phones/api/v1/user/phones/${PHONES_PHONE}/groups` },
      { api: 'devices', path: `/compat/devices/api/groups?token=${DEVICE_TOKEN}` },
      { api: 'connections', path: `/compat/connections/api/v1/connections/status?connectionId=${connectionId}` },
      { api: 'gateway', path: '/compat/gateway/api/status' },
    ];
    for (const c of cases) {
      const { owner, other } = await sides(c.api);
      for (const credential of [false, 'not-a-valid-token'] as const) {
        const there = await raw(other, c.path, { credential });
        const here = await raw(owner, c.path, { credential });
        assert.equal(there.status, 401, `${c.path} (${credential}): ${JSON.stringify(there.body)}`);
        assert.equal(there.node, null, `${c.path}: refused by the first replica, not forwarded`);
        assert.equal(stripIds(there.body), stripIds(here.body), `${c.path}: the same 401 as the owner's`);
      }
    }
    // A token of another product API: the same 403 as on the owner, not forwarded either.
    const created = await call('a', '/api/auth/tokens', { method: 'POST', body: JSON.stringify({ name: 'gateway only', api: 'gateway' }) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const gatewayToken = created.body.token as string;
    assert.equal(typeof gatewayToken, 'string', JSON.stringify(created.body));
    const { owner, other } = await sides('phones');
    const path = `/compat/phones/api/v1/user/phones/${PHONES_PHONE}/groups`;
    const there = await raw(other, path, { credential: gatewayToken });
    const here = await raw(owner, path, { credential: gatewayToken });
    assert.equal(there.status, 403, JSON.stringify(there.body));
    assert.equal(there.node, null);
    assert.equal(here.status, 403);
  });
});
