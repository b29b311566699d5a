import assert from 'node:assert/strict';
import { phoneNumberIdOf } from '../../src/common/utils/graph-ids';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from '../support/node-test';
import { ClusterService, LeaseLostError, type DropReason, type LeaseHolder } from '../../src/cluster/cluster.service';
import { LeaseRepository } from '../../src/cluster/lease.repository';
import { AppConfig } from '../../src/config/app-config';
import { openTestDataSource, testDatabaseKinds, type TestDataSource } from '../support/test-database';
import { holds, waitFor } from '../support/wait';

/**
 * Session leases on a real database (PGlite, and PostgreSQL when DATABASE_URL is set): claiming,
 * renewal, takeover after expiry with a new fencing token, the fencing check inside a write's
 * transaction, release, and the fair share that ClusterService rounds keep between nodes.
 */
for (const kind of testDatabaseKinds()) {
  describe(`session leases (${kind})`, () => {
    let db: TestDataSource;
    let repo: LeaseRepository;
    const services: ClusterService[] = [];

    before(async () => {
      db = await openTestDataSource(kind);
      repo = new LeaseRepository(db.dataSource);
    });
    after(async () => {
      for (const s of services) await s.stop();
      await repo?.onApplicationShutdown();
      await db?.close();
    });

    /** Active session rows the leases can point at. */
    async function sessions(n: number): Promise<string[]> {
      const ids = Array.from({ length: n }, (_, i) => `qr_${Date.now()}_${randomBytes(4).toString('hex')}_${i}`);
      for (const id of ids) {
        await db.dataSource.query(`INSERT INTO session (id, method, engine, status, phone_number_id) VALUES ($1, 'qr', 'sandbox', 'READY', $2)`, [id, phoneNumberIdOf(id)]);
      }
      return ids;
    }

    const node = () => `node-${randomBytes(3).toString('hex')}`;

    it('heartbeats and renews while every pooled connection is busy (PostgreSQL: a connection of their own)', { skip: kind !== 'postgres' }, async () => {
      const [id] = await sessions(1);
      const a = node();
      const incarnation = randomUUID();
      await repo.registerNode(a, 'test-host', incarnation);
      const [claimed] = await repo.claim(a, [id], 1, 10_000);
      // Check out every connection of the pool, as a burst of key writes would.
      const size = (db.dataSource.options as unknown as { extra: { max: number } }).extra.max;
      const runners = Array.from({ length: size }, () => db.dataSource.createQueryRunner());
      await Promise.all(runners.map((r) => r.connect()));
      try {
        let poolFree = false;
        const pooled = db.dataSource.query('SELECT 1').then(() => poolFree);
        const renewed = await repo.renew(a, [{ sessionId: id, token: claimed.token }], 10_000);
        assert.deepEqual([...renewed.keys()], [id]);
        assert.equal(await repo.heartbeat(a, incarnation), true);
        poolFree = true;
        await Promise.all(runners.map((r) => r.release()));
        assert.equal(await pooled, true, 'a pooled query waited for a connection meanwhile');
      } finally {
        await Promise.all(runners.map((r) => (r.isReleased ? undefined : r.release())));
      }
    });

    it('gives a free session to one node, with fencing token 1; another node gets nothing while it is held', async () => {
      const [id] = await sessions(1);
      const a = node();
      const b = node();
      const [claimed] = await repo.claim(a, [id], 10, 10_000);
      assert.deepEqual(claimed, { sessionId: id, token: '1', previousOwner: null });
      assert.deepEqual(await repo.claim(b, [id], 10, 10_000), []);
      const [lease] = await repo.leases([id]);
      assert.equal(lease.owner, a);
    });

    it('reports no lease for a session that was never held, and a null owner once a held lease is released', async () => {
      const [fresh, held] = await sessions(2);
      // What a claim writes first for every candidate: a placeholder row, token 0.
      await db.dataSource.query(`INSERT INTO session_lease (session_id, owner, expires_at, token) VALUES ($1, NULL, '-infinity', 0)`, [fresh]);
      const a = node();
      const [claimed] = await repo.claim(a, [held], 1, 10_000);
      assert.deepEqual((await repo.leases([fresh, held])).map((l) => [l.sessionId, l.owner]), [[held, a]], 'a new session has no lease yet, not a lost one');
      await repo.release(a, [{ sessionId: held, token: claimed.token }]);
      const [released] = await repo.leases([held]);
      assert.equal(released.owner, null);
      assert.ok(Number.isFinite(released.expiresAt.getTime()));
    });

    it('renews only under the current token, and a node takes an expired lease over with the next token', async () => {
      const [id] = await sessions(1);
      const a = node();
      const b = node();
      const [first] = await repo.claim(a, [id], 1, 400);
      assert.deepEqual([...(await repo.renew(a, [{ sessionId: id, token: first.token }], 400)).keys()], [id]);
      assert.deepEqual([...(await repo.renew(a, [{ sessionId: id, token: '999' }], 400)).keys()], [], 'a stale token renews nothing');
      assert.deepEqual([...(await repo.renew(b, [{ sessionId: id, token: first.token }], 400)).keys()], [], 'nor does another node');
      // Nobody renews: once it expires, b takes it over.
      const [stolen] = await waitFor(async () => {
        const got = await repo.claim(b, [id], 1, 10_000);
        return got.length ? got : null;
      }, { what: 'the lease to expire and b to claim it' });
      assert.equal(stolen.token, '2', 'every acquisition increments the fencing token');
      assert.equal(stolen.previousOwner, a);
      assert.deepEqual([...(await repo.renew(a, [{ sessionId: id, token: first.token }], 400)).keys()], [], 'the old owner cannot renew');
      const fenced = (node: string, token: string) => db.dataSource.transaction((tx) => repo.isHeldIn(tx, id, node, token));
      assert.equal(await fenced(a, first.token), false, "the old owner's writes are fenced off");
      assert.equal(await fenced(b, stolen.token), true);
    });

    it('lets another node claim a released lease at once', async () => {
      const [id] = await sessions(1);
      const a = node();
      const b = node();
      const [held] = await repo.claim(a, [id], 1, 60_000);
      assert.equal(await repo.release(b, [held]), 0, 'only the owner releases');
      assert.equal(await repo.release(a, [held]), 1);
      assert.equal((await repo.leases([id]))[0].owner, null);
      const [taken] = await repo.claim(b, [id], 1, 60_000);
      assert.deepEqual(taken, { sessionId: id, token: '2', previousOwner: null });
    });

    it('hands a session over on request: the owner sees the request when it renews, and only the asking node may claim it', async () => {
      const [id] = await sessions(1);
      const [a, b, c] = [node(), node(), node()];
      const [held] = await repo.claim(a, [id], 1, 60_000);
      assert.equal(await repo.requestHandover(id, b), a, 'the owner is asked');
      const renewed = await repo.renew(a, [held], 60_000);
      assert.equal(renewed.get(id), b, 'the owner learns who asked');
      await repo.release(a, [held]);
      assert.deepEqual(await repo.claim(c, [id], 1, 60_000), [], 'kept for the node that asked');
      const [taken] = await repo.claim(b, [id], 1, 60_000);
      assert.equal(taken.token, '2');
      assert.equal(await repo.requestHandover(id, b), null, 'nobody to ask once it holds it');
    });

    it('never gives one session to two nodes claiming at the same time', async () => {
      const ids = await sessions(30);
      const nodes = [node(), node(), node()];
      const results = await Promise.all(nodes.map((n) => repo.claim(n, ids, 30, 60_000)));
      const claimed = results.flat().map((c) => c.sessionId);
      assert.equal(claimed.length, ids.length, 'each session claimed once');
      assert.deepEqual(new Set(claimed), new Set(ids));
    });

    it('counts live nodes by heartbeat; a stopped node is not alive', async () => {
      const a = node();
      await repo.registerNode(a, 'host-a', '00000000-0000-4000-8000-000000000001');
      assert.equal(await repo.heartbeat(a, '00000000-0000-4000-8000-000000000001'), true);
      assert.equal(await repo.heartbeat(a, '00000000-0000-4000-8000-000000000002'), false, 'another process under the same id is told so');
      assert.equal((await repo.nodes(60_000)).find((n) => n.id === a)?.alive, true);
      await repo.stopNode(a, '00000000-0000-4000-8000-000000000001');
      assert.equal((await repo.nodes(60_000)).find((n) => n.id === a)?.alive, false);
    });

    describe('ClusterService rounds', () => {
      /** A stand-in for the session runtime: which sessions it has "sockets" for. */
      const violations: string[] = [];
      class Holder implements LeaseHolder {
        readonly open = new Set<string>();
        constructor(
          private readonly all: () => string[],
          private readonly others: () => Holder[],
        ) {}
        async wanted() {
          return this.all();
        }
        adopt(ids: string[]) {
          for (const id of ids) {
            if (this.others().some((h) => h !== this && h.open.has(id))) violations.push(`${id} opened while another node has it open`);
            this.open.add(id);
          }
        }
        async drop(id: string, _reason: DropReason) {
          this.open.delete(id);
        }
      }

      function service(nodeId: string, ttlMs: number): ClusterService {
        const s = new ClusterService(repo, new AppConfig({ NODE_ID: nodeId, SESSION_LEASE_TTL_MS: String(ttlMs) }));
        services.push(s);
        return s;
      }

      it('a single node claims every session in its first round; a joining node gets its share without two sockets for one session', async () => {
        // Every node on this database counts towards the share: give this test its own sessions
        // and stop the nodes the other tests registered.
        await db.dataSource.query(`UPDATE cluster_node SET stopped_at = now()`);
        await db.dataSource.query(`UPDATE session SET active = false`);
        const ids = await sessions(6);
        const holders: Holder[] = [];
        const a = service(node(), 900);
        const ha = new Holder(() => ids, () => holders);
        holders.push(ha);
        const first = await a.start(ha);
        ha.adopt(first);
        assert.equal(first.length, 6, 'the only node takes everything at once');
        assert.ok(ids.every((id) => a.holds(id)));

        const b = service(node(), 900);
        const hb = new Holder(() => ids, () => holders);
        holders.push(hb);
        hb.adopt(await b.start(hb));
        await waitFor(() => a.heldCount() === 3 && b.heldCount() === 3, { what: 'an even split (3 + 3)' });
        assert.equal(ha.open.size + hb.open.size, 6);
        await holds(() => a.heldCount() === 3 && b.heldCount() === 3, { for: 700, what: 'the split stays even' });

        // The fencing check inside a transaction follows the lease.
        const mineA = a.heldIds()[0];
        await db.dataSource.transaction((tx) => a.assertHeld(tx, mineA));
        await assert.rejects(db.dataSource.transaction((tx) => b.assertHeld(tx, mineA)), LeaseLostError);

        // Shutdown hands over at once: b holds all six well within one TTL.
        const takeovers: string[] = [];
        b.onTakeover((e) => takeovers.push(e.sessionId));
        await a.stop();
        for (const id of [...ha.open]) await ha.drop(id, 'shutdown');
        await a.releaseAll();
        await waitFor(() => b.heldCount() === 6, { what: 'b to take over every session' });
        assert.equal(takeovers.length, 0, 'a handover (released lease) is not a takeover');
        assert.equal((await b.nodes()).find((n) => n.id === a.nodeId)?.alive, false);
        assert.deepEqual(violations, []);
      });

      it('a node that stops renewing loses its sessions to a live one, which fences it off', async () => {
        await db.dataSource.query(`UPDATE cluster_node SET stopped_at = now()`);
        await db.dataSource.query(`UPDATE session SET active = false`);
        const ids = await sessions(2);
        const holders: Holder[] = [];
        const a = service(node(), 600);
        const ha = new Holder(() => ids, () => holders);
        holders.push(ha);
        ha.adopt(await a.start(ha));
        assert.equal(a.heldCount(), 2);
        // A paused process: no more rounds, but its watchdog still closes what it can no longer trust.
        await a.stop();
        const b = service(node(), 600);
        const hb = new Holder(() => ids, () => holders);
        holders.push(hb);
        const takeovers: { sessionId: string; from: string }[] = [];
        b.onTakeover((e) => takeovers.push(e));
        hb.adopt(await b.start(hb));
        // b starts while a's leases may still be valid; its rounds take them once they expire.
        await waitFor(() => b.heldCount() === 2, { what: 'b to take the expired sessions' });
        assert.ok(ids.every((id) => !a.holds(id)), 'a no longer trusts its leases');
        assert.deepEqual(takeovers.map((t) => t.from), [a.nodeId, a.nodeId], 'taking an expired lease is a takeover');
        await assert.rejects(db.dataSource.transaction((tx) => a.assertHeld(tx, ids[0])), LeaseLostError);
      });
    });
  });
}
