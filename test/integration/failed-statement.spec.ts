import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from '../support/node-test';
import { MessagesRepository, type NewOutbound } from '../../src/messages/messages.repository';
import { linkedSandboxSession } from '../support/cloud-api';
import { api } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';

/**
 * A statement the database refuses (here: a value the edge validation would have stopped,
 * handed straight to the repository) fails alone: the connection it ran on keeps working,
 * on PostgreSQL and on embedded PGlite alike.
 */
for (const kind of testDatabaseKinds()) {
  describe(`A failed statement does not poison the connection (${kind})`, () => {
    let t: TestApp;
    let sessionId: string;

    before(async () => {
      t = await startTestApp({ database: await createTestDatabase(kind) });
      sessionId = (await linkedSandboxSession(t, '919800000001')).id;
    });
    after(async () => {
      await t?.destroy();
    });

    const row = (text: string): NewOutbound => ({
      sessionId,
      waMessageId: `3EB0${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`,
      chatJid: '919846303025@s.whatsapp.net',
      recipientInput: '919846303025',
      type: 'text',
      content: { kind: 'text', text } as never,
      mediaId: null,
      expiresAt: new Date(Date.now() + 60_000),
      idempotencyKey: null,
    });

    it('enqueues again after the database refused an enqueue', async () => {
      const repo = t.app.get(MessagesRepository);
      await assert.rejects(repo.insertOutbound(row('a\u0000b')));
      await assert.rejects(repo.insertOutbound(row('again \u0000')));
      const ok = await repo.insertOutbound(row('fine'));
      assert.ok(ok?.id, 'a normal enqueue after the failures is stored');
      await api(t).post('/api/messages/send').send({ sessionId, to: '919846303025', type: 'text', text: 'over HTTP' }).expect(202);
    });
  });
}
