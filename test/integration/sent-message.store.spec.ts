import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { PgSentMessageStore } from '../../src/messages/sent-message.store';
import { api } from '../support/http';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';
import { startTestApp, type TestApp } from '../support/test-app';
import { createSession } from '../support/factories';

for (const kind of testDatabaseKinds()) describe(`PgSentMessageStore on the real database (${kind})`, () => {
  let t: TestApp;
  let store: PgSentMessageStore;
  let a: string;
  let b: string;

  const row = (sessionId: string, direction: 'outbound' | 'inbound', waId: string) =>
    t.dataSource.query(
      `INSERT INTO message (session_id, direction, wa_message_id, chat_jid, type, status) VALUES ($1, $2, $3, '15550000001@s.whatsapp.net', 'text', 'QUEUED')`,
      [sessionId, direction, waId],
    );

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
    await row(a, 'outbound', '3EB0AAAA');
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 0, 10]).subarray(1);
    await store.save(a, '3EB0AAAA', bytes);
    assert.deepEqual(Buffer.from((await store.load(a, '3EB0AAAA'))!), Buffer.from(bytes));
  });

  it('returns null for what this session did not send: unsent, inbound, unknown, another session', async () => {
    await row(a, 'outbound', '3EB0QUEUED');
    assert.equal(await store.load(a, '3EB0QUEUED'), null, 'queued, not sent yet');
    // Same WhatsApp id in both directions (the unique index is per direction): only the send counts.
    await row(a, 'inbound', 'SHARED');
    await store.save(a, 'SHARED', new Uint8Array([9]));
    await row(a, 'outbound', 'SHARED');
    assert.equal(await store.load(a, 'SHARED'), null, 'the save went to no inbound row');
    await store.save(a, 'SHARED', new Uint8Array([7]));
    assert.deepEqual([...(await store.load(a, 'SHARED'))!], [7]);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM message WHERE direction = 'inbound' AND wa_proto IS NOT NULL`);
    assert.equal(n, 0);
    assert.equal(await store.load(a, 'NEVER'), null);
    assert.equal(await store.load(b, '3EB0AAAA'), null, 'another session');
    await store.save(b, '3EB0AAAA', new Uint8Array([1]));
    assert.deepEqual([...(await store.load(a, '3EB0AAAA'))!], [1, 2, 250, 255, 0, 10], "another session's save changes nothing here");
  });
});
