import assert from 'node:assert/strict';
import { phoneNumberIdOf } from '../../src/common/utils/graph-ids';
import { Client } from 'pg';
import { after, before, describe, it } from '../support/node-test';
import { callServer, SIMULATOR_PRELOAD, type ServerProcess } from '../support/server-process';
import { simulatorProcessEnv } from '../support/simulator-env';
import { TEST_API_KEY } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait';
import { WaSimulator } from '../wa-sim/wa-simulator';
import { Replicas } from '../support/replicas';

const TTL_MS = 6_000;
const PHONES = Array.from({ length: 6 }, (_, i) => `1555071000${i + 1}`);
const LINKED_THROUGH_D = '15550710007';

/**
 * Replicas as separate processes on one PostgreSQL database, real Baileys through the
 * simulator: sessions split between replicas, rebalance when one joins, are taken over after
 * kill -9 (no new QR) and handed over at once on SIGTERM; a message accepted while its
 * session's owner dies reaches the contact under its own id (only a message the dead owner had
 * sent but not recorded goes out again, under that same id); and the simulator never sees two
 * sockets for one account.
 * Needs DATABASE_URL: embedded PGlite serves one process only.
 */
describe('Replicas sharing sessions through leases', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL (PGlite serves a single process)' }, () => {
  let database: TestDatabase;
  let sim: WaSimulator;
  const replicas = new Replicas('cluster');
  const nodes = replicas.nodes;
  const sessions = new Map<string, string>(); // phone → session id

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
      // Every replica must read the credentials the others stored.
      MASTER_KEY: 'ab'.repeat(32),
    }, { preload: SIMULATOR_PRELOAD });
  }


  /**
   * A call to one replica. A request that meets a kept-alive connection the server closed as
   * idle at that very moment never reached it: it is sent again, once.
   */
  async function call(nodeId: string, path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
    const url = nodes.get(nodeId)!.url;
    try {
      return await callServer(url, TEST_API_KEY, path, init);
    } catch (err) {
      if ((err as { cause?: { code?: string; message?: string } }).cause?.message !== 'other side closed') throw err;
      return callServer(url, TEST_API_KEY, path, init);
    }
  }

  /** Session ids per owning node, as GET /api/cluster on `via` reports them. */
  async function placement(via: string): Promise<Map<string, string[]>> {
    const { body } = await call(via, '/api/cluster');
    const out = new Map<string, string[]>();
    for (const s of body.sessions as { sessionId: string; node: string | null }[]) {
      if (s.node) out.set(s.node, [...(out.get(s.node) ?? []), s.sessionId]);
    }
    return out;
  }

  /** Every session READY as `via` reports it, each on one of `owners`, split `counts` (sorted). */
  async function settled(via: string, owners: string[], counts: number[]): Promise<boolean> {
    const where = await placement(via);
    const split = owners.map((n) => where.get(n)?.length ?? 0).sort();
    if (JSON.stringify(split) !== JSON.stringify([...counts].sort())) return false;
    for (const id of sessions.values()) {
      const { body } = await call(via, `/api/sessions/${id}`);
      if (body.session.status !== 'READY' || !owners.includes(body.session.node)) return false;
    }
    return true;
  }

  function assertNeverTwoSockets(): void {
    for (const phone of PHONES) {
      const stats = sim.socketStats(phone);
      assert.equal(stats.overlaps, 0, `${phone}: a second socket logged in while one was online (${JSON.stringify(stats)})`);
      assert.equal(stats.peak, 1, `${phone}: ${stats.peak} sockets at once`);
    }
  }

  it('a single replica runs every session it links', async () => {
    await startNode('a');
    for (const phone of PHONES) {
      const created = await call('a', '/api/sessions', { method: 'POST', body: JSON.stringify({ name: phone }) });
      const id = created.body.session.sessionId as string;
      const qr = await call('a', `/api/sessions/${id}/qr`);
      await sim.scan(qr.body.qr, phone);
      sessions.set(phone, id);
    }
    await waitFor(() => settled('a', ['a'], [6]), { timeout: 30_000, what: 'six sessions READY on a' });
    const { body } = await call('a', '/api/cluster');
    assert.deepEqual(body.nodes.map((n: { id: string; alive: boolean; sessionCount: number }) => [n.id, n.alive, n.sessionCount]), [['a', true, 6]]);
  });

  it('a second and a third replica join: sessions rebalance a few at a time, never two sockets for one account', async () => {
    await startNode('b');
    await waitFor(() => settled('b', ['a', 'b'], [3, 3]), { timeout: 40_000, what: 'a 3 + 3 split' });
    assertNeverTwoSockets();
    await startNode('c');
    await waitFor(() => settled('c', ['a', 'b', 'c'], [2, 2, 2]), { timeout: 40_000, what: 'a 2 + 2 + 2 split' });
    assertNeverTwoSockets();
    for (const phone of PHONES) assert.equal(sim.socketStats(phone).online, 1);
  });

  it('a call that needs the socket, sent to another replica, moves the session there (closed first, then opened)', async () => {
    const [target] = (await placement('a')).get('a')!;
    const res = await call('b', `/api/sessions/${target}/restart`, { method: 'POST' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await waitFor(async () => {
      const { body } = await call('b', `/api/sessions/${target}`);
      return body.session.status === 'READY' && body.session.node === 'b';
    }, { timeout: 30_000, what: 'the session READY on b' });
    assertNeverTwoSockets();
    // b now holds more than its share: the cluster evens out again.
    await waitFor(() => settled('c', ['a', 'b', 'c'], [2, 2, 2]), { timeout: 40_000, what: 'the 2 + 2 + 2 split again' });
    assertNeverTwoSockets();
  });

  it('kill -9: survivors take the dead replica\'s sessions within the TTL plus restore time, without a new QR, and send what it had accepted once', async () => {
    const onC = (await placement('a')).get('c')!;
    assert.equal(onC.length, 2);
    const [target, burst] = onC;
    const phoneOf = (id: string) => [...sessions].find(([, s]) => s === id)![0];
    const contact = sim.addContact('15550720001', 'Cluster contact');
    const burstContact = sim.addContact('15550720003', 'Burst contact');
    const registeringBefore = await registeringCount(target);
    // Paced, so c is still working through the queue when it dies. Set through c, the replica
    // running the session: the others' copy of a session's settings may be a moment old.
    await call('c', `/api/sessions/${target}/settings`, { method: 'PATCH', body: JSON.stringify({ minDelayMs: 800, maxDelayMs: 800 }) });
    // Accepted by a while c owns the session, then c dies before (or while) sending them.
    const accepted: { id: string; waMessageId: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call('a', '/api/messages/send', {
        method: 'POST',
        body: JSON.stringify({ sessionId: target, to: contact.phoneNumber, type: 'text', text: `takeover ${i}` }),
      });
      assert.equal(res.status, 202);
      accepted.push(res.body.message);
    }
    // c's other session is not paced: a burst it is still sending (in batches, each one's SENT
    // mark committing while the next goes out) when it dies.
    const burstAccepted = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const res = await call('a', '/api/messages/send', {
          method: 'POST',
          body: JSON.stringify({ sessionId: burst, to: burstContact.phoneNumber, type: 'text', text: `burst ${i}` }),
        });
        assert.equal(res.status, 202);
        return res.body.message as { id: string; waMessageId: string };
      }),
    );
    // c has sent (and recorded) the first one and is pausing before the next.
    await waitFor(async () => Boolean((await call('a', `/api/messages/${accepted[0].id}`)).body.message.sentAt), {
      timeout: 15_000,
      interval: 20,
      what: 'c sending the first message',
    });
    // ...and is in the middle of the burst: the contact has some of it, whether c recorded them yet or not.
    await waitFor(() => sim.countMessages({ direction: 'out', from: phoneOf(burst), to: burstContact.phoneNumber }) >= 5, {
      timeout: 15_000,
      interval: 5,
      what: 'c sending the burst',
    });
    const killedAt = Date.now();
    const c = nodes.get('c')!;
    nodes.delete('c');
    await c.kill9();
    // Until a survivor holds them, c's sessions are never reported READY without an owner.
    const seen: string[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        for (const id of onC) {
          const { body } = await call('a', `/api/sessions/${id}`);
          seen.push(`${body.session.status}@${body.session.node}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50)); // sampling interval, not a wait for a condition
      }
    })();
    await waitFor(() => settled('a', ['a', 'b'], [3, 3]), { timeout: 40_000, what: "c's sessions READY on a and b" });
    const tookMs = Date.now() - killedAt;
    watching = false;
    await watch;
    assert.deepEqual(seen.filter((s) => s === 'READY@null'), [], 'READY only while some replica holds the lease');
    await waitFor(async () => {
      const { body } = await call('b', `/api/cluster`);
      return body.nodes.find((n: { id: string }) => n.id === 'c')?.alive === false;
    }, { what: 'c reported as not alive' });

    // The survivors counted the takeovers in /metrics.
    let takeovers = 0;
    for (const n of ['a', 'b']) {
      const text = await (await fetch(`${nodes.get(n)!.url}/metrics`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } })).text();
      for (const m of text.matchAll(/^switchboard_session_lease_takeovers_total(?:\{[^}]*\})? (\d+)$/gm)) takeovers += Number(m[1]);
    }
    assert.ok(takeovers >= 1, `lease takeovers counted by the survivors (${takeovers})`);

    // Same account, same device: a login, not a new link.
    assert.equal(await registeringCount(target), registeringBefore, 'no new QR');
    for (const account of sim.accounts()) assert.equal(account.devices.length, 1, `${account.phoneNumber} linked once`);

    const paced = await sentOnceEach(phoneOf(target), contact.phoneNumber, accepted);
    // c sent the first one, the survivor the rest (at least the last, 3.2 s of pacing later).
    assert.equal(paced.onSocket.length, 2, `sent on ${paced.onSocket.length} sockets: c's and the survivor's`);
    const burstSent = await sentOnceEach(phoneOf(burst), burstContact.phoneNumber, burstAccepted);
    assertNeverTwoSockets();
    const summary = (r: typeof paced) =>
      `${r.received} sends for ${r.messages} messages (${r.onSocket.map((ids) => ids.length).join(' + ')} on ${r.onSocket.length} socket(s)), ${r.repeated} repeated under the same id`;
    console.log(
      `# takeover after kill -9: ${tookMs} ms (lease TTL ${TTL_MS} ms); statuses seen meanwhile: ${[...new Set(seen)].join(', ')}; ` +
        `paced: ${summary(paced)}; burst: ${summary(burstSent)}`,
    );
  });

  /**
   * Every accepted message is sent (recorded SENT by some replica) and reached the contact under
   * the WhatsApp id chosen when it was accepted; no socket carried an id twice; an id on two
   * sockets (the dead replica's, then the survivor's) is one the dead replica had sent but not
   * recorded as SENT when it died (a socket write and a database write are never one step): the
   * survivor found it claimed by a dead process, returned it to the queue (RECOVERED) and sent it
   * again under the same id, which WhatsApp shows once. Nothing else is ever repeated.
   */
  async function sentOnceEach(
    phone: string,
    to: string,
    accepted: { id: string; waMessageId: string }[],
  ): Promise<{ messages: number; received: number; onSocket: string[][]; repeated: number }> {
    await waitFor(
      async () => {
        for (const m of accepted) if (!(await call('a', `/api/messages/${m.id}`)).body.message.sentAt) return false;
        return true;
      },
      { timeout: 30_000, what: `the ${accepted.length} messages to ${to} sent after the takeover` },
    );
    const received = sim.messages({ direction: 'out', from: phone, to }).filter((m) => accepted.some((a) => a.waMessageId === m.id));
    assert.deepEqual([...new Set(received.map((m) => m.id))].sort(), accepted.map((m) => m.waMessageId).sort());
    const sockets = [...new Set(received.map((m) => m.connection!))].sort((x, y) => x - y);
    assert.ok(sockets.length <= 2, `sent on ${sockets.length} sockets`);
    const onSocket = sockets.map((s) => received.filter((m) => m.connection === s).map((m) => m.id));
    for (const ids of onSocket) assert.equal(new Set(ids).size, ids.length, `a message sent twice on one socket: ${ids.join(', ')}`);
    const repeated = onSocket.length === 2 ? onSocket[1].filter((id) => onSocket[0].includes(id)) : [];
    for (const id of repeated) {
      const { body } = await call('a', `/api/messages/${accepted.find((a) => a.waMessageId === id)!.id}`);
      const reasons = (body.message.statusHistory as { status: string; reason?: string }[]).map((h) => h.reason);
      assert.ok(reasons.includes('RECOVERED'), `${id} repeated although the dead replica had not left it claimed: ${JSON.stringify(body.message.statusHistory)}`);
    }
    return { messages: accepted.length, received: received.length, onSocket, repeated: repeated.length };
  }

  it('SIGTERM: the stopping replica hands its sessions over at once', async () => {
    const stoppedAt = Date.now();
    const b = nodes.get('b')!;
    nodes.delete('b');
    await b.stop();
    // Claimed by a well before b's leases could have expired.
    await waitFor(async () => ((await placement('a')).get('a')?.length ?? 0) === 6, { what: 'a holding all six' });
    const handoverMs = Date.now() - stoppedAt;
    assert.ok(handoverMs < TTL_MS, `handed over in ${handoverMs} ms, not after the lease TTL`);
    await waitFor(() => settled('a', ['a'], [6]), { timeout: 30_000, what: 'all six READY on a' });
    assertNeverTwoSockets();
  });

  it('the QR of a session being linked is answered by a replica that does not run it, and scanning it links the session', async () => {
    await startNode('d');
    const created = await call('a', '/api/sessions', { method: 'POST', body: JSON.stringify({ name: 'linked through d' }) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.session.sessionId as string;
    assert.equal((await placement('d')).get('a')?.includes(id), true, 'a runs the new session');
    const qr = await call('d', `/api/sessions/${id}/qr`);
    assert.equal(qr.status, 200, JSON.stringify(qr.body));
    assert.match(qr.body.qr, /2@/);
    const png = await fetch(`${nodes.get('d')!.url}/api/sessions/${id}/qr?format=png`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    assert.equal(png.headers.get('content-type'), 'image/png');
    await sim.scan(qr.body.qr, LINKED_THROUGH_D);
    await waitFor(async () => {
      const { body } = await call('d', `/api/sessions/${id}`);
      // Once linked it may move to d (a holds more than its share of seven).
      return body.session.status === 'READY' && ['a', 'd'].includes(body.session.node);
    }, { timeout: 30_000, what: 'the session linked and READY' });
    // Linked: no replica offers a QR any more.
    const after = await call('d', `/api/sessions/${id}/qr`);
    assert.equal(after.status, 409);
    assert.equal(after.body.error.code, 'SESSION_ALREADY_LINKED');
    assert.equal(sim.socketStats(LINKED_THROUGH_D).peak, 1);
    sessions.set(LINKED_THROUGH_D, id);
  });

  it('a call that needs the live socket, sent to a replica that does not run the session, is answered by the one that does', async () => {
    // Rebalanced first (7 sessions on a and d), so the lease stays put during the calls.
    await waitFor(() => settled('d', ['a', 'd'], [3, 4]), { timeout: 40_000, what: 'a 4 + 3 split' });
    const [id] = (await placement('d')).get('a')!;
    const contact = sim.addContact('15550720002', 'Forwarded check');
    const d = nodes.get('d')!.url;
    const auth = { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
    const checked = await fetch(`${d}/api/sessions/${id}/check-numbers`, {
      method: 'POST',
      headers: { ...auth, 'x-request-id': 'forwarded-check-1' },
      body: JSON.stringify({ numbers: [contact.phoneNumber, '15550799999'] }),
    });
    const body = (await checked.json()) as { results: { number: string; exists: boolean }[] };
    assert.equal(checked.status, 200, JSON.stringify(body));
    assert.equal(checked.headers.get('x-switchboard-node'), 'a', 'answered by the replica running the session');
    assert.deepEqual(body.results.map((r) => [r.number, r.exists]), [[contact.phoneNumber, true], ['15550799999', false]]);
    // Group reads: the same answer as the owner gives directly (whatever the simulator supports).
    const groups = await fetch(`${d}/api/sessions/${id}/groups`, { headers: auth });
    const direct = await fetch(`${nodes.get('a')!.url}/api/sessions/${id}/groups`, { headers: auth });
    assert.equal(groups.headers.get('x-switchboard-node'), 'a');
    assert.equal(groups.status, direct.status);
    const strip = (b: unknown) => ({ ...(b as object), requestId: undefined });
    assert.deepEqual(strip(await groups.json()), strip(await direct.json()));
    // The Cloud API facade's business profile, by the canonical phone number id on Meta's path.
    const profile = await fetch(`${d}/v21.0/${phoneNumberIdOf(id)}/whatsapp_business_profile?fields=about`, { headers: auth });
    const profileBody = (await profile.json()) as { data: { messaging_product: string }[] };
    assert.equal(profile.status, 200, JSON.stringify(profileBody));
    assert.equal(profile.headers.get('x-switchboard-node'), 'a', 'the profile is read by the replica running the session');
    assert.equal(profileBody.data[0].messaging_product, 'whatsapp');
    // A read receipt goes to the owner too, and its answer comes back as the owner gives it; a send is queued where it lands.
    const markRead = (base: string) =>
      fetch(`${base}/v21.0/${phoneNumberIdOf(id)}/messages`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.HBgLMTU1NTA3MjAwMDIVAgASGBQzRUIwQUFBQUFBQUFBQUFBQUFBQQA=' }),
      });
    const read = await markRead(d);
    assert.equal(read.headers.get('x-switchboard-node'), 'a', 'the read receipt was handled by the replica running the session');
    assert.equal(read.status, (await markRead(nodes.get('a')!.url)).status);
    // The owner checks the caller's credentials itself.
    const anonymous = await fetch(`${d}/api/sessions/${id}/groups`);
    assert.equal(anonymous.status, 401);
    // A request already forwarded is answered where it lands (no ping-pong while a lease moves).
    const looped = await fetch(`${d}/api/sessions/${id}/groups`, { headers: { ...auth, 'x-switchboard-forwarded-by': 'a' } });
    assert.equal(looped.status, 409);
    assert.equal(((await looped.json()) as { error: { code: string } }).error.code, 'SESSION_NOT_READY');

    // The owner's advertised address does not answer: 503 naming it.
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const [{ url }] = (await db.query(`SELECT url FROM cluster_node WHERE id = 'a'`)).rows;
      assert.equal(url, nodes.get('a')!.url.replace('localhost', '127.0.0.1'));
      await db.query(`UPDATE cluster_node SET url = 'http://127.0.0.1:9' WHERE id = 'a'`);
      const down = await fetch(`${d}/api/sessions/${id}/groups`, { headers: auth });
      assert.equal(down.status, 503);
      const error = ((await down.json()) as { error: { code: string; details: { node: string } } }).error;
      assert.equal(error.code, 'SESSION_OWNER_UNREACHABLE');
      assert.equal(error.details.node, 'a');
      await db.query(`UPDATE cluster_node SET url = $1 WHERE id = 'a'`, [url]);
    } finally {
      await db.end();
    }
  });

  async function registeringCount(sessionId: string): Promise<number> {
    const via = [...nodes.keys()][0];
    const { body } = await call(via, `/api/sessions/${sessionId}/status-history`);
    return (body.history as { status: string }[]).filter((h) => h.status === 'REGISTERING').length;
  }
});
