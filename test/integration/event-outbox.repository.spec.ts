import assert from 'node:assert/strict';
import { EventOutboxRepository, OUTBOX_START, positionBefore, type NewOutboxRow } from '../../src/webhooks/event-outbox.repository';
import { openTestDataSource, testDatabaseKinds, type TestDataSource } from '../support/test-database';
import { after, before, beforeEach, describe, it } from '../support/node-test';
import { eventually } from '../support/http';

/** The outbox's SQL on a real database, without the app: order, filters, the horizon, pruning. */
for (const kind of testDatabaseKinds()) describe(`EventOutboxRepository (${kind})`, () => {
  let db: TestDataSource;
  let repo: EventOutboxRepository;

  before(async () => {
    db = await openTestDataSource(kind);
    repo = new EventOutboxRepository(db.dataSource);
  });
  after(async () => db?.close());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM event_outbox');
  });

  const row = (n: number, sessionId = 's1', type = 'message.status'): NewOutboxRow => ({ eventId: `e${n}`, type, sessionId, envelope: JSON.stringify({ n }) });
  const write = (rows: NewOutboxRow[]) => db.dataSource.transaction((manager) => repo.insert(manager, rows));
  /**
   * readAfter once no transaction older than the rows written here is still running. The
   * horizon is the whole server's: other test files' transactions on the same PostgreSQL hold
   * it back for a moment, as they would a replica's.
   */
  const settledRead = (...args: Parameters<EventOutboxRepository['readAfter']>) =>
    eventually(async () => {
      const read = await repo.readAfter(...args);
      return read.blocked ? null : read;
    });

  it('reads committed rows back in the order written, across transactions, in pages', async () => {
    await write([row(1), row(2), row(3)]);
    await write([row(4), row(5)]);
    const all = await settledRead(OUTBOX_START, 100);
    assert.deepEqual(all.rows.map((r) => r.eventId), ['e1', 'e2', 'e3', 'e4', 'e5']);
    assert.equal(all.blocked, false);
    for (let i = 1; i < all.rows.length; i++) assert.ok(positionBefore(all.rows[i - 1], all.rows[i]));

    const first = await settledRead(OUTBOX_START, 2);
    assert.deepEqual(first.rows.map((r) => r.eventId), ['e1', 'e2']);
    const next = await settledRead(first.rows[1], 2);
    assert.deepEqual(next.rows.map((r) => r.eventId), ['e3', 'e4']);
    assert.deepEqual(await repo.tail(), { xid: all.rows[4].xid, seq: all.rows[4].seq });
  });

  it('narrows to one session and stops at upTo', async () => {
    await write([row(1, 'a'), row(2, 'b'), row(3, 'a'), row(4, 'b')]);
    const onlyA = await settledRead(OUTBOX_START, 10, { sessionId: 'a' });
    assert.deepEqual(onlyA.rows.map((r) => [r.eventId, r.sessionId]), [['e1', 'a'], ['e3', 'a']]);
    const all = (await settledRead(OUTBOX_START, 10)).rows;
    const upTo = await settledRead(OUTBOX_START, 10, { upTo: all[1] });
    assert.deepEqual(upTo.rows.map((r) => r.eventId), ['e1', 'e2']);
  });

  it('finds a retained position by seq, and none for an unknown one', async () => {
    await write([row(1)]);
    const [only] = (await settledRead(OUTBOX_START, 1)).rows;
    assert.deepEqual(await repo.positionOf(only.seq), { xid: only.xid, seq: only.seq });
    assert.equal(await repo.positionOf('999999999'), null);
    await db.dataSource.query('DELETE FROM event_outbox');
    assert.deepEqual(await repo.tail(), OUTBOX_START);
  });

  it('inserts more rows than fit in one statement, still in order', async () => {
    const many = Array.from({ length: 2_500 }, (_, i) => row(i));
    await write(many);
    const read = await settledRead(OUTBOX_START, 3_000);
    assert.equal(read.rows.length, 2_500);
    assert.ok(read.rows.every((r, i) => r.eventId === `e${i}`));
  });

  it('prunes rows older than the cutoff, one batch per call', async () => {
    await write([row(1), row(2), row(3)]);
    await db.dataSource.query(`UPDATE event_outbox SET created_at = now() - interval '48 hours' WHERE event_id IN ('e1', 'e2')`);
    assert.equal(await repo.prune(24, 1), 1, 'one batch per call');
    assert.equal(await repo.prune(24, 10), 1);
    assert.equal(await repo.prune(24, 10), 0);
    assert.deepEqual((await settledRead(OUTBOX_START, 10)).rows.map((r) => r.eventId), ['e3']);
  });

  it('hides rows of a transaction still open, and those after it, and says it is blocked', { skip: kind === 'pglite' && 'embedded PGlite has one connection' }, async () => {
    await write([row(1)]);
    const open = db.dataSource.createQueryRunner();
    await open.connect();
    try {
      await open.startTransaction();
      await repo.insert(open.manager, [row(2)]);
      await write([row(3)]);
      // e1 shows once other test files' older transactions are done; e2 (open) and e3 (after it) stay hidden.
      const seen = await eventually(async () => {
        const read = await repo.readAfter(OUTBOX_START, 10);
        return read.rows.length ? read : null;
      });
      assert.deepEqual(seen.rows.map((r) => r.eventId), ['e1'], 'e3 committed, but after a row that may still commit');
      assert.equal(seen.blocked, true);
      await open.commitTransaction();
    } finally {
      await open.release();
    }
    const after = await settledRead(OUTBOX_START, 10);
    assert.deepEqual(after.rows.map((r) => r.eventId), ['e1', 'e2', 'e3']);
    assert.equal(after.blocked, false);
  });
});
