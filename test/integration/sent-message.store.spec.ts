import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { PgSentMessageStore, toHex } from '../../src/messages/sent-message.store';
import { MessagesRepository } from '../../src/messages/messages.repository';
import { api } from '../support/http';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';
import { startTestApp, type TestApp } from '../support/test-app';
import { createSession } from '../support/factories';

for (const kind of testDatabaseKinds()) describe(`PgSentMessageStore on the real database (${kind})`, () => {
  let t: TestApp;
  let store: PgSentMessageStore;
  let a: string;
  let b: string;

  const row = async (sessionId: string, direction: 'outbound' | 'inbound', waId: string, status = 'QUEUED'): Promise<string> => {
    const [{ id }] = await t.dataSource.query(
      `INSERT INTO message (session_id, direction, wa_message_id, chat_jid, type, status) VALUES ($1, $2, $3, '15550000001@s.whatsapp.net', 'text', $4) RETURNING id`,
      [sessionId, direction, waId, status],
    );
    return id as string;
  };
  const storedBytes = async (id: string): Promise<Buffer | null> =>
    (await t.dataSource.query(`SELECT wa_proto FROM message WHERE id = $1`, [id]))[0].wa_proto;

  before(async () => {
    t = await startTestApp({ database: await createTestDatabase(kind) });
    store = t.app.get(PgSentMessageStore);
    a = await createSession(t);
    b = await createSession(t);
  });
  after(async () => {
    await t?.destroy();
  });

  it('keeps the bytes on the outbound row and reads them back exactly', async () => {
    const id = await row(a, 'outbound', '3EB0AAAA');
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 0, 10]).subarray(1);
    await store.save(a, '3EB0AAAA', bytes);
    assert.deepEqual(Buffer.from((await store.load(a, '3EB0AAAA'))!), Buffer.from(bytes));
    await store.flush();
    assert.deepEqual(await storedBytes(id), Buffer.from(bytes), 'written to the row');
    assert.deepEqual(Buffer.from((await store.load(a, '3EB0AAAA'))!), Buffer.from(bytes), 'read back from the row');
  });

  it('returns null for what this session did not send: unsent, inbound, unknown, another session', async () => {
    await row(a, 'outbound', '3EB0QUEUED');
    assert.equal(await store.load(a, '3EB0QUEUED'), null, 'queued, not sent yet');
    // Same WhatsApp id in both directions (the unique index is per direction): only the send counts.
    await row(a, 'inbound', 'SHARED');
    await store.save(a, 'SHARED', new Uint8Array([9]));
    await store.flush();
    await row(a, 'outbound', 'SHARED');
    assert.equal(await store.load(a, 'SHARED'), null, 'the save went to no inbound row');
    await store.save(a, 'SHARED', new Uint8Array([7]));
    assert.deepEqual([...(await store.load(a, 'SHARED'))!], [7]);
    await store.flush();
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM message WHERE direction = 'inbound' AND wa_proto IS NOT NULL`);
    assert.equal(n, 0);
    assert.equal(await store.load(a, 'NEVER'), null);
    assert.equal(await store.load(b, '3EB0AAAA'), null, 'another session');
    await store.save(b, '3EB0AAAA', new Uint8Array([1]));
    await store.flush();
    assert.deepEqual([...(await store.load(a, '3EB0AAAA'))!], [1, 2, 250, 255, 0, 10], "another session's save changes nothing here");
  });

  it('answers a retry receipt from memory until the SENT mark writes the bytes with it', async () => {
    const repo = t.app.get(MessagesRepository);
    const id = await row(a, 'outbound', '3EB0BEHIND', 'SENDING');
    await store.save(a, '3EB0BEHIND', new Uint8Array([4, 2]));
    assert.equal(await storedBytes(id), null, 'the send waited for no write');
    assert.deepEqual([...(await store.load(a, '3EB0BEHIND'))!], [4, 2], 'a retry receipt right after the send gets the message');
    const pending = store.pendingFor(a, ['3EB0BEHIND', '3EB0OTHER']);
    assert.deepEqual([...pending.keys()], ['3EB0BEHIND']);
    const [sent] = await repo.markSent([id], new Date(), undefined, [toHex(pending.get('3EB0BEHIND')!)]);
    store.written(a, pending);
    assert.equal(sent.status, 'SENT');
    assert.deepEqual([...(await storedBytes(id))!], [4, 2], 'written with the SENT mark');
    assert.equal(store.pendingFor(a, ['3EB0BEHIND']).size, 0, 'no longer held in memory');
    assert.deepEqual([...(await store.load(a, '3EB0BEHIND'))!], [4, 2]);
  });

  it("stores the bytes of a message the server's ack already made SENT, without a second SENT", async () => {
    const repo = t.app.get(MessagesRepository);
    const id = await row(a, 'outbound', '3EB0ACKED', 'SENT');
    const changed = await repo.markSent([id], new Date(), undefined, [toHex(new Uint8Array([8]))]);
    assert.equal(changed.length, 0, 'no status change, so no event');
    assert.deepEqual([...(await storedBytes(id))!], [8]);
    const [{ history }] = await t.dataSource.query(`SELECT jsonb_array_length(status_history) AS history FROM message WHERE id = $1`, [id]);
    assert.equal(history, 0, 'no SENT entry appended');
  });

  it('writes what no SENT mark took on its own (a failed mark, shutdown)', async () => {
    const id = await row(a, 'outbound', '3EB0LEFT', 'SENDING');
    await store.save(a, '3EB0LEFT', new Uint8Array([5]));
    await store.beforeApplicationShutdown();
    assert.deepEqual([...(await storedBytes(id))!], [5]);
    assert.equal(store.pendingFor(a, ['3EB0LEFT']).size, 0);
  });
});
