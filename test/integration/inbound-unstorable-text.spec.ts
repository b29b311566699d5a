import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { FakeEngineFactory, type FakeWhatsAppEngine } from '../fakes/fake-whatsapp.engine';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';
import { createSession } from '../support/factories';

/**
 * What a contact sends is stored even when it holds characters PostgreSQL cannot store (a NUL,
 * a lone surrogate): they become U+FFFD instead of making the row, and the message, fail.
 */
for (const kind of testDatabaseKinds()) {
  describe(`Inbound text PostgreSQL cannot store as it is (${kind})`, () => {
    let t: TestApp;
    const engines = new FakeEngineFactory();
    let sessionId: string;
    let engine: FakeWhatsAppEngine;

    before(async () => {
      t = await startTestApp({ engineFactory: engines, env: { WA_ENGINE: 'baileys' }, database: await createTestDatabase(kind) });
      sessionId = await createSession(t);
      engine = engines.latest(sessionId);
      engine.open({ mobileNumber: '15550300001', mobid: '915550300001' });
      await eventually(async () => (await api(t).get(`/api/sessions/${sessionId}`)).body.session.status === 'READY');
    });
    after(async () => {
      await t?.destroy();
    });

    const inbound = (id: string, text: string, pushName: string) =>
      engine.deliver({ id, chatJid: '15559990001@s.whatsapp.net', senderJid: '15559990001@s.whatsapp.net', senderPhone: '15559990001', pushName, timestamp: Math.floor(Date.now() / 1000), type: 'text', text });

    it('stores messages with NUL characters and lone surrogates, replaced by U+FFFD', async () => {
      await inbound('NUL1', 'nul \u0000 here', 'Jo\u0000');
      await inbound('SUR1', 'lone \ud800 here \udfff', 'Ann');
      await inbound('OK1', 'plain 😀', 'Bo');
      const stored = await eventually(async () => {
        const res = await api(t).get(`/api/messages?sessionId=${sessionId}&direction=inbound`).expect(200);
        return res.body.messages.length === 3 ? res.body.messages : null;
      });
      const text = (id: string) => stored.find((m: { waMessageId: string }) => m.waMessageId === id)?.content.text;
      assert.equal(text('NUL1'), 'nul \ufffd here');
      assert.equal(text('SUR1'), 'lone \ufffd here \ufffd');
      assert.equal(text('OK1'), 'plain 😀');
    });
  });
}
