import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { MessagesRepository } from '../../src/messages/messages.repository';
import { MessageStatus } from '../../src/messages/message-status';
import type { DomainEventOf } from '../../src/events/domain-events';
import { EventBus } from '../../src/events/event-bus';
import { EngineSendError } from '../../src/whatsapp/engine/outgoing-message';
import { FakeEngineFactory, type FakeWhatsAppEngine } from '../fakes/fake-whatsapp.engine';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { holds } from '../support/wait';

/** The queue's rules with a hand-driven engine: pacing, caps, opt-in, receipts, expiry, claims. */
describe('Message queue', () => {
  let t: TestApp;
  const engines = new FakeEngineFactory();
  const statuses: DomainEventOf<'message.status'>[] = [];

  before(async () => {
    t = await startTestApp({
      engineFactory: engines,
      env: {
        WA_ENGINE: 'baileys',
        DEFAULT_MIN_DELAY_MS: '0',
        DEFAULT_MAX_DELAY_MS: '0',
        QUEUE_POLL_INTERVAL_MS: '30',
        QUEUE_SWEEP_INTERVAL_MS: '100',
        QUEUE_RETRY_BASE_DELAY_MS: '20',
        QUEUE_MAX_ATTEMPTS: '3',
      },
    });
    t.app.get(EventBus).on('message.status', (e) => void statuses.push(e));
  });
  after(async () => {
    await t?.destroy();
  });

  async function readySession(phone: string): Promise<{ id: string; engine: FakeWhatsAppEngine }> {
    const { body } = await api(t).post('/api/sessions').send({}).expect(201);
    const id = body.session.sessionId as string;
    const engine = engines.latest(id);
    engine.open({ mobileNumber: phone, mobid: `9${phone}`.slice(0, 15) });
    await eventually(async () => (await api(t).get(`/api/sessions/${id}`)).body.session.status === 'READY');
    return { id, engine };
  }
  const send = (sessionId: string, to: string, text: string) =>
    api(t).post('/api/messages/send').send({ sessionId, to, type: 'text', text }).expect(202);
  const message = async (id: string) => (await api(t).get(`/api/messages/${id}`).expect(200)).body.message;

  it('sends one session in FIFO order with the configured random pause between sends', async () => {
    const { id, engine } = await readySession('15550300001');
    await api(t).patch(`/api/sessions/${id}/settings`).send({ minDelayMs: 150, maxDelayMs: 200 }).expect(200);
    const times: number[] = [];
    engine.onSend = () => void times.push(Date.now());
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await send(id, '15550309999'.replace('9999', `000${i + 1}`), `m${i}`)).body.message.id);
    await eventually(async () => engine.sent.length === 4, 5000);
    assert.deepEqual(engine.sent.map((m) => (m.content.kind === 'text' ? m.content.text : '')), ['m0', 'm1', 'm2', 'm3']);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 140, `gap ${times[i] - times[i - 1]} ms`);
    const info = (await api(t).get(`/api/sessions/${id}`).expect(200)).body.session;
    assert.equal(info.settings.minDelayMs, 150);
    const careful = await api(t).patch(`/api/sessions/${id}/settings`).send({ preset: 'careful' }).expect(200);
    assert.deepEqual([careful.body.session.settings.minDelayMs, careful.body.session.settings.maxDelayMs], [8000, 22000]);
    const bad = await api(t).patch(`/api/sessions/${id}/settings`).send({ minDelayMs: 5000, maxDelayMs: 10 }).expect(400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    await api(t).patch(`/api/sessions/${id}/settings`).send({ minDelayMs: -1 }).expect(400);
  });

  it('stops at the daily cap and leaves the rest queued', async () => {
    const { id, engine } = await readySession('15550300002');
    await api(t).patch(`/api/sessions/${id}/settings`).send({ dailyLimit: 2, preset: 'off' }).expect(200);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await send(id, '15550301111', `d${i}`)).body.message.id);
    await eventually(async () => engine.sent.length === 2);
    await holds(() => engine.sent.length === 2, { what: 'nothing sent over the daily cap' });
    assert.equal((await message(ids[2])).status, 'QUEUED');
    await api(t).patch(`/api/sessions/${id}/settings`).send({ dailyLimit: null }).expect(200);
    await eventually(async () => engine.sent.length === 3);
  });

  it('honours opt-in: NO never receives, requireOptIn needs YES', async () => {
    const { id, engine } = await readySession('15550300003');
    await t.dataSource.query(
      `INSERT INTO contact (session_id, jid, opt_in) VALUES ($1, '15550302001@s.whatsapp.net', 'yes'), ($1, '15550302002@s.whatsapp.net', 'no')`,
      [id],
    );
    const no = (await send(id, '15550302002', 'x')).body.message.id;
    const optedOut = await eventually(async () => ((await message(no)).status === 'OPTED_OUT' ? message(no) : null));
    assert.equal(optedOut.error.code, 'OPTED_OUT');
    await api(t).patch(`/api/sessions/${id}/settings`).send({ requireOptIn: true }).expect(200);
    const yes = (await send(id, '15550302001', 'y')).body.message.id;
    const unknown = (await send(id, '15550302003', 'z')).body.message.id;
    await eventually(async () => (await message(yes)).status === 'SENT');
    const notIn = await eventually(async () => ((await message(unknown)).status === 'OPTED_OUT' ? message(unknown) : null));
    assert.equal(notIn.error.code, 'NOT_OPTED_IN');
    assert.deepEqual(engine.sent.map((m) => m.to), ['15550302001@s.whatsapp.net']);
    await t.dataSource.query(`INSERT INTO contact (session_id, jid, opt_in) VALUES ($1, '15550302003@s.whatsapp.net', 'yes')`, [id]);
    await api(t).post(`/api/messages/${unknown}/resend`).expect(202);
    await eventually(async () => (await message(unknown)).status === 'SENT');
  });

  it('applies receipts forward only, whatever order they arrive in', async () => {
    const { id, engine } = await readySession('15550300004');
    const msg = (await send(id, '15550303001', 'r')).body.message;
    await eventually(async () => (await message(msg.id)).status === 'SENT');
    const receipt = (status: 'DELIVERED' | 'READ' | 'PLAYED') =>
      engine.push({ type: 'message.status', update: { waMessageId: msg.waMessageId, chatJid: msg.to, status, at: new Date() } });
    receipt('READ');
    receipt('DELIVERED');
    receipt('DELIVERED');
    await eventually(async () => (await message(msg.id)).status === 'READ');
    await holds(async () => (await message(msg.id)).status === 'READ', { what: 'READ is not undone by a late DELIVERED' });
    const m = await message(msg.id);
    assert.equal(m.status, 'READ');
    assert.ok(m.deliveredAt && m.readAt, 'an early read fills in delivered');
    assert.deepEqual(m.statusHistory.map((h: { status: string }) => h.status), ['QUEUED', 'SENT', 'READ']);
    const events = statuses.filter((e) => e.messageId === msg.id).map((e) => e.status);
    assert.deepEqual(events, ['SENT', 'READ']);
  });

  it('retries transient failures with backoff, fails permanent ones with the code, waits when not ready', async () => {
    const { id, engine } = await readySession('15550300005');
    let calls = 0;
    engine.onSend = (m) => {
      if (m.to.startsWith('15550304001')) {
        calls += 1;
        if (calls < 3) throw new EngineSendError('transient', 'ENGINE_CONNECTION', 'socket closed');
      }
      if (m.to.startsWith('15550304002')) throw new EngineSendError('permanent', 'RECIPIENT_NOT_ON_WHATSAPP', 'nope');
    };
    const flaky = (await send(id, '15550304001', 'a')).body.message.id;
    const bad = (await send(id, '15550304002', 'b')).body.message.id;
    const ok = await eventually(async () => ((await message(flaky)).status === 'SENT' ? message(flaky) : null));
    assert.equal(ok.attempts, 3);
    const failed = await eventually(async () => ((await message(bad)).status === 'FAILED' ? message(bad) : null));
    assert.equal(failed.error.code, 'RECIPIENT_NOT_ON_WHATSAPP');

    engine.push({ type: 'close', reason: 'CONNECTION_LOST' as never, code: 408 });
    const waiting = (await send(id, '15550304003', 'c')).body.message.id;
    await holds(async () => (await message(waiting)).status === 'QUEUED', { what: 'held while disconnected' });
    await eventually(async () => engine.connects >= 2, 5000);
    engine.open();
    await eventually(async () => (await message(waiting)).status === 'SENT');
  });

  it('expires messages that wait too long', async () => {
    const { id } = await readySession('15550300006');
    await api(t).post(`/api/sessions/${id}/stop`).expect(200);
    const msg = (await send(id, '15550305001', 'late')).body.message.id;
    await t.dataSource.query(`UPDATE message SET expires_at = now() - interval '1 second' WHERE id = $1`, [msg]);
    const expired = await eventually(async () => ((await message(msg)).status === 'EXPIRED' ? message(msg) : null));
    assert.equal(expired.error.code, 'EXPIRED');
    assert.ok(statuses.some((e) => e.messageId === msg && e.status === 'EXPIRED'));
  });

  it('gives every concurrent caller its own row when enqueues share one INSERT, in call order', async () => {
    const { id, engine } = await readySession('15550300077');
    await api(t).post(`/api/sessions/${id}/stop`).expect(200);
    const repo = t.app.get(MessagesRepository);
    // Called together, these go out as a few multi-row statements (one in flight at a time).
    const rows = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        repo.insertOutbound({
          sessionId: id,
          waMessageId: `3EB0BATCH${String(i).padStart(13, '0')}`,
          chatJid: `1555030${String(i).padStart(4, '0')}@s.whatsapp.net`,
          recipientInput: `n${i}`,
          type: 'text',
          content: { text: `batch ${i} "quoted" \\ {braces}, commas` },
          mediaId: null,
          expiresAt: new Date(Date.now() + 60_000),
          idempotencyKey: i % 10 === 0 ? `batch-key-${i}` : null,
        }),
      ),
    );
    const stored = await t.dataSource.query(
      `SELECT id, seq, wa_message_id, recipient_input, content, idempotency_key, created_at, updated_at FROM message WHERE session_id = $1 AND wa_message_id LIKE '3EB0BATCH%' ORDER BY seq`,
      [id],
    );
    assert.equal(stored.length, 120);
    stored.forEach((row: Record<string, any>, i: number) => {
      assert.equal(row.recipient_input, `n${i}`, 'seq follows call order');
      assert.equal(row.content.text, `batch ${i} "quoted" \\ {braces}, commas`);
      assert.equal(row.idempotency_key, i % 10 === 0 ? `batch-key-${i}` : null);
      assert.equal(rows[i]?.id, row.id, 'each caller got its own row back');
      assert.equal(rows[i]?.waMessageId, row.wa_message_id);
      assert.equal(rows[i]?.seq, Number(row.seq));
      assert.equal(rows[i]?.createdAt.getTime(), row.created_at.getTime(), "the row's own creation time, to the millisecond");
      assert.equal(rows[i]?.updatedAt.getTime(), row.updated_at.getTime());
    });
    // A key already taken answers null for that caller only.
    const again = await Promise.all([
      repo.insertOutbound({ sessionId: id, waMessageId: '3EB0BATCHDUP0000000001', chatJid: 'x@s.whatsapp.net', recipientInput: 'dup', type: 'text', content: { text: 'dup' }, mediaId: null, expiresAt: new Date(Date.now() + 60_000), idempotencyKey: 'batch-key-0' }),
      repo.insertOutbound({ sessionId: id, waMessageId: '3EB0BATCHNEW0000000001', chatJid: 'y@s.whatsapp.net', recipientInput: 'new', type: 'text', content: { text: 'new' }, mediaId: null, expiresAt: new Date(Date.now() + 60_000), idempotencyKey: null }),
    ]);
    assert.equal(again[0], null);
    assert.equal(again[1]?.recipientInput, 'new');
    assert.equal(engine.sent.length, 0);
  });

  it('never hands one message to two concurrent claimers (FOR UPDATE SKIP LOCKED)', async () => {
    const { id } = await readySession('15550300007');
    await api(t).post(`/api/sessions/${id}/stop`).expect(200);
    for (let i = 0; i < 40; i++) await send(id, '15550306001', `c${i}`);
    const repo = t.app.get(MessagesRepository);
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => repo.claim(id, `worker-${i}`, 10, 60_000)));
    const ids = claims.flat().map((m) => m.id);
    assert.equal(ids.length, 40);
    assert.equal(new Set(ids).size, 40);
    for (const batch of claims) {
      const seqs = batch.map((m) => m.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    }
    // Claims of a process that died go back to the queue when another one takes the session over.
    assert.equal(await repo.recoverClaims(id, 'new-owner'), 40);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM message WHERE session_id = $1 AND status = $2`, [id, MessageStatus.QUEUED]);
    assert.equal(n, 40);
  });
});
