import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Repository } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import type { SessionEntity } from './entities/session.entity';
import { SessionResolver } from './session-resolver';

/** A session table behind TypeORM's query-builder chain whose answers the test releases by hand. */
class HeldQueries {
  readonly pending: { ref: string; answer: (row: SessionEntity | null) => void }[] = [];

  repository(): Repository<SessionEntity> {
    const pending = this.pending;
    const builder = (ref: string) => {
      const qb = {
        orWhere: () => qb,
        orderBy: () => qb,
        addOrderBy: () => qb,
        getOne: () => new Promise<SessionEntity | null>((answer) => pending.push({ ref, answer })),
      };
      return qb;
    };
    return { createQueryBuilder: () => ({ where: (_sql: string, p: { ref: string }) => builder(p.ref) }) } as unknown as Repository<SessionEntity>;
  }

  /** Waits until `n` queries are open (the resolver awaits nothing else before it asks). */
  async open(n: number): Promise<void> {
    for (let i = 0; i < 100 && this.pending.length < n; i++) await new Promise((r) => setImmediate(r));
    assert.equal(this.pending.length, n, `${n} open queries`);
  }
}

const config = { whatsapp: { defaultCountry: 'IN' } } as unknown as AppConfig;
const row = (id: string, name: string) => ({ id, name }) as unknown as SessionEntity;

describe('SessionResolver (unit)', () => {
  it('answers requests that miss the cache together with one query, then from the cache', async () => {
    const db = new HeldQueries();
    const resolver = new SessionResolver(db.repository(), config);
    const together = [resolver.findEntity('qr_1'), resolver.findEntity(' qr_1 '), resolver.findEntity('qr_1')];
    await db.open(1);
    db.pending[0].answer(row('qr_1', 'first'));
    const found = await Promise.all(together);
    assert.deepEqual(found.map((s) => s?.name), ['first', 'first', 'first']);
    assert.equal((await resolver.findEntity('qr_1'))?.name, 'first');
    assert.equal(db.pending.length, 1, 'the later request was served from the cache');
  });

  it('does not hand a lookup that began before a change to callers that come after it', async () => {
    const db = new HeldQueries();
    const resolver = new SessionResolver(db.repository(), config);
    const before = resolver.findEntity('qr_1');
    await db.open(1);
    resolver.forget('qr_1');
    const after = resolver.findEntity('qr_1');
    await db.open(2);
    db.pending[0].answer(row('qr_1', 'old'));
    db.pending[1].answer(row('qr_1', 'new'));
    assert.equal((await before)?.name, 'old');
    assert.equal((await after)?.name, 'new');
    assert.equal((await resolver.findEntity('qr_1'))?.name, 'new', 'the row read before the change was not cached');
    assert.equal(db.pending.length, 2);
  });

  it('forgets a changed session under every ref that named it, and caches no miss', async () => {
    const db = new HeldQueries();
    const resolver = new SessionResolver(db.repository(), config);
    const byNumber = resolver.findEntity('+91 98463 03025');
    await db.open(1);
    db.pending[0].answer(row('qr_1', 'by number'));
    assert.equal((await byNumber)?.id, 'qr_1');
    resolver.forget('qr_1');
    const again = resolver.findEntity('+91 98463 03025');
    await db.open(2);
    db.pending[1].answer(null);
    assert.equal(await again, null);
    const once = resolver.findEntity('+91 98463 03025');
    await db.open(3);
    db.pending[2].answer(null);
    assert.equal(await once, null);
  });
});
