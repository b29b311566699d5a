import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { InboundService } from '../../src/messages/inbound.service';
import type { InboundMessage } from '../../src/whatsapp/engine/engine-events';
import { api } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Group commit of inbound messages: what arrives while a session's transaction commits is
 * stored together in the next one, in arrival order, and a message that cannot be stored
 * fails alone. Rows written by one transaction share its id (`xmin`), which is how the
 * batches are seen here.
 */
describe('Inbound group commit', () => {
  let t: TestApp;
  let inbound: InboundService;
  let sessionId: string;

  before(async () => {
    t = await startTestApp({ env: { SANDBOX_RECEIPT_DELAY_MS: '0' } });
    inbound = t.app.get(InboundService);
    sessionId = (await api(t).post('/api/sessions').send({}).expect(201)).body.session.sessionId;
    await api(t).post(`/api/sessions/${sessionId}/sandbox/link`).send({ phoneNumber: '15559300001' }).expect(200);
  });
  after(async () => {
    await t?.destroy();
  });

  const message = (n: number, text = `burst ${n}`): InboundMessage => ({
    id: `GC${String(n).padStart(4, '0')}`,
    chatJid: `1555931${String(n % 4).padStart(4, '0')}@s.whatsapp.net`,
    senderJid: `1555931${String(n % 4).padStart(4, '0')}@s.whatsapp.net`,
    senderPhone: `1555931${String(n % 4).padStart(4, '0')}`,
    pushName: null,
    timestamp: 1,
    type: 'text',
    text,
  });
  const stored = async (prefix: string) =>
    (await t.dataSource.query(
      `SELECT wa_message_id, xmin::text AS tx FROM message WHERE session_id = $1 AND direction = 'inbound' AND wa_message_id LIKE $2 ORDER BY created_at, number`,
      [sessionId, `${prefix}%`],
    )) as { wa_message_id: string; tx: string }[];

  it('stores a burst in a few transactions, in arrival order, each message once with its event', async () => {
    const burst = Array.from({ length: 20 }, (_, n) => message(n));
    // All submitted in one tick: the first is stored alone at once, the other 19 wait for its commit and go together.
    await Promise.all(burst.map((m) => inbound.receive(sessionId, m)));
    const rows = await stored('GC');
    assert.deepEqual(rows.map((r) => r.wa_message_id), burst.map((m) => m.id), 'in arrival order');
    assert.equal(new Set(rows.map((r) => r.tx)).size, 2, 'two transactions for twenty messages');
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM event_outbox WHERE type = 'message.received' AND session_id = $1`, [sessionId]);
    assert.equal(n, 20, 'one event per message, written with it');

    // The same burst again (Baileys re-delivers offline messages): nothing new.
    await Promise.all(burst.map((m) => inbound.receive(sessionId, m)));
    assert.equal((await stored('GC')).length, 20);
  });

  it('fails only the message that cannot be stored; the rest of its batch is stored', async () => {
    const good = [message(100), message(101), message(103)];
    const bad = { ...message(102), id: 'GC0102', text: 'nul \u0000 byte' };
    const first = inbound.receive(sessionId, message(99));
    const results = await Promise.allSettled([first, ...[good[0], good[1], bad, good[2]].map((m) => inbound.receive(sessionId, m))]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const ids = (await stored('GC01')).map((r) => r.wa_message_id);
    assert.deepEqual(ids, ['GC0100', 'GC0101', 'GC0103'], 'the batch was stored again one by one without the bad message');
  });
});
