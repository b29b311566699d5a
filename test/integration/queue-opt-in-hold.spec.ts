import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { Dispatcher } from '../../src/messages/dispatcher';
import { MessagesRepository } from '../../src/messages/messages.repository';
import { MessagesService } from '../../src/messages/messages.service';
import { Principal } from '../../src/auth/principal';
import type { DomainEventOf } from '../../src/events/domain-events';
import { EventBus } from '../../src/events/event-bus';
import { EngineSendError } from '../../src/whatsapp/engine/outgoing-message';
import { FakeEngineFactory, type FakeWhatsAppEngine } from '../fakes/fake-whatsapp.engine';
import { api } from '../support/http';
import { createToken } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { holds, waitFor } from '../support/wait';

/**
 * Message numbers, and the opt-in hold (`optInMode: 'hold'`): the queue keeps messages for
 * contacts who have not said YES, skips them without spinning, and lets the contact's answer
 * decide (YES sends, NO ends them OPTED_OUT). A hand-driven engine, the real database.
 */
describe('Message numbers and the opt-in hold', () => {
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
        // The sweep re-checks held messages; long here so the tests below see the event path.
        QUEUE_SWEEP_INTERVAL_MS: '600000',
      },
    });
    t.app.get(EventBus).on('message.status', (e) => void statuses.push(e));
  });
  after(async () => {
    await t?.destroy();
  });

  async function readySession(phone: string, settings: Record<string, unknown> = {}): Promise<{ id: string; engine: FakeWhatsAppEngine }> {
    const { body } = await api(t).post('/api/sessions').send({}).expect(201);
    const id = body.session.sessionId as string;
    const engine = engines.latest(id);
    engine.open({ mobileNumber: phone, mobid: `9${phone}`.slice(0, 15) });
    await waitFor(async () => (await api(t).get(`/api/sessions/${id}`)).body.session.status === 'READY', { what: 'session READY' });
    if (Object.keys(settings).length) await api(t).patch(`/api/sessions/${id}/settings`).send(settings).expect(200);
    return { id, engine };
  }
  const send = async (sessionId: string, to: string, text: string) =>
    (await api(t).post('/api/messages/send').send({ sessionId, to, type: 'text', text }).expect(202)).body.message;
  const message = async (id: string | number) => (await api(t).get(`/api/messages/${id}`).expect(200)).body.message;
  const texts = (engine: FakeWhatsAppEngine, to: string) =>
    engine.sent.filter((m) => m.to === `${to}@s.whatsapp.net`).map((m) => (m.content.kind === 'text' ? m.content.text : ''));
  const held = (id: string) => waitFor(async () => ((await message(id)).heldReason === 'NOT_OPTED_IN' ? message(id) : null), { what: `message ${id} held` });
  const setOptIn = (sessionId: string, phone: string, optIn: string) =>
    api(t).patch(`/api/sessions/${sessionId}/contacts/${phone}`).send({ optIn }).expect(200);

  it('numbers every message: in the 202 answer, the history and GET by number; resend by number; other sessions cannot see it', async () => {
    const { id, engine } = await readySession('15550400001');
    const first = await send(id, '15550401001', 'one');
    const second = await send(id, '15550401002', 'two');
    assert.equal(typeof first.number, 'number');
    assert.ok(Number.isSafeInteger(first.number) && first.number > 0);
    assert.ok(second.number > first.number, 'numbers grow in acceptance order');

    const byNumber = await message(first.number);
    assert.equal(byNumber.id, first.id);
    assert.equal(byNumber.number, first.number);
    assert.equal((await message(first.id)).number, first.number);
    const list = (await api(t).get(`/api/messages?sessionId=${id}`).expect(200)).body.messages;
    assert.deepEqual(list.map((m: { number: number }) => m.number), [second.number, first.number]);
    const missing = await api(t).get('/api/messages/999999999999').expect(404);
    assert.equal(missing.body.error.code, 'MESSAGE_NOT_FOUND');

    // The service finds it by number for a principal that sees the session, and not for one bound elsewhere.
    const service = t.app.get(MessagesService);
    assert.equal((await service.findByNumber(Principal.admin('api-key'), first.number))?.id, first.id);
    for (const ref of [String(first.number), first.id, first.waMessageId]) assert.equal((await service.findByRef(id, ref))?.id, first.id, `findByRef ${ref}`);
    assert.equal(await service.findByRef(id, String(second.number + 1000)), null);
    const other = await readySession('15550400002');
    assert.equal(await service.findByNumber(new Principal('token', false, null, other.id), first.number), null);
    const foreign = await createToken(t, { name: 'other session', sessionId: other.id });
    await api(t, foreign).get(`/api/messages/${first.number}`).expect(404);
    const own = await createToken(t, { name: 'own session', sessionId: id });
    assert.equal((await api(t, own).get(`/api/messages/${first.number}`).expect(200)).body.message.id, first.id);

    // Resend by number: the WA Gateway's POST /api/resend/42.
    await waitFor(() => engine.sent.length === 2, { what: 'both sent' });
    engine.onSend = () => {
      throw new EngineSendError('permanent', 'RECIPIENT_NOT_ON_WHATSAPP', 'nope');
    };
    const failing = await send(id, '15550401003', 'three');
    await waitFor(async () => (await message(failing.number)).status === 'FAILED', { what: 'FAILED' });
    engine.onSend = () => undefined;
    const resent = await api(t).post(`/api/messages/${failing.number}/resend`).expect(202);
    assert.equal(resent.body.message.number, failing.number);
    assert.equal(resent.body.message.waMessageId, failing.waMessageId);
    await waitFor(async () => (await message(failing.number)).status === 'SENT', { what: 'resent and SENT' });
    await api(t, foreign).post(`/api/messages/${failing.number}/resend`).expect(404);
  });

  it('holds messages for contacts who have not said YES: the claim skips them, they do not expire, the rest flows', async () => {
    const { id, engine } = await readySession('15550400003', { requireOptIn: true, optInMode: 'hold', preset: 'off' });
    const info = (await api(t).get(`/api/sessions/${id}`).expect(200)).body.session;
    assert.equal(info.settings.optInMode, 'hold');
    await setOptIn(id, '15550402001', 'yes');
    await setOptIn(id, '15550402002', 'pending');

    const pending = await send(id, '15550402002', 'for pending');
    const unknown = await send(id, '15550402003', 'for unknown');
    const pendingAgain = await send(id, '15550402002', 'for pending again');
    const yes = await send(id, '15550402001', 'for yes');
    await waitFor(() => texts(engine, '15550402001').length === 1, { what: 'the opted-in contact is served' });
    const h = await held(pending.id);
    assert.equal(h.status, 'QUEUED');
    assert.equal(h.attempts, 0, 'a hold is not an attempt');
    assert.deepEqual(h.statusHistory.map((s: { status: string; reason?: string }) => [s.status, s.reason ?? null]), [
      ['QUEUED', null],
      ['QUEUED', 'HELD_NOT_OPTED_IN'],
    ]);
    await held(unknown.id);
    await held(pendingAgain.id);
    await waitFor(async () => (await message(yes.id)).status === 'SENT', { what: 'the opted-in message SENT' });

    // Held rows are invisible to the claim and the due time, and the expiry sweep leaves them.
    const repo = t.app.get(MessagesRepository);
    await t.dataSource.query(`UPDATE message SET expires_at = now() - interval '1 second' WHERE id = $1`, [unknown.id]);
    assert.deepEqual(await repo.claim(id, 'another-process', 100, 60_000), []);
    assert.equal(await repo.nextDueAt(id), null);
    const expired = await repo.expireDue();
    assert.ok(!expired.some((m) => m.id === unknown.id), 'a held message does not expire');
    assert.equal((await message(unknown.id)).status, 'QUEUED');

    // Later messages to others still go out at once.
    const later = await send(id, '15550402001', 'later for yes');
    await waitFor(async () => (await message(later.id)).status === 'SENT', { what: 'later message SENT' });
    await holds(() => texts(engine, '15550402002').length === 0 && texts(engine, '15550402003').length === 0, { what: 'nothing sent to held contacts' });
    // A held message can be canceled like any queued one.
    const canceled = await api(t).delete(`/api/messages/${pendingAgain.number}`).expect(200);
    assert.equal(canceled.body.message.status, 'CANCELED');
    assert.equal(canceled.body.message.heldReason, null);
  });

  it('a YES sends the held messages at once (fresh expiry); a NO ends them OPTED_OUT with their events', async () => {
    const { id, engine } = await readySession('15550400004', { requireOptIn: true, optInMode: 'hold', preset: 'off' });
    const a1 = await send(id, '15550403001', 'a1');
    const a2 = await send(id, '15550403001', 'a2');
    const a3 = await send(id, '15550403001', 'a3');
    const a4 = await send(id, '15550403001', 'a4');
    const b1 = await send(id, '15550403002', 'b1');
    await held(a1.id);
    await held(a2.id);
    await held(a3.id);
    await held(a4.id);
    await held(b1.id);
    await t.dataSource.query(`UPDATE message SET expires_at = now() - interval '1 second' WHERE id = $1`, [a2.id]);

    await setOptIn(id, '15550403001', 'yes');
    await waitFor(() => texts(engine, '15550403001').length === 4, { what: 'held messages sent after YES' });
    assert.deepEqual(texts(engine, '15550403001'), ['a1', 'a2', 'a3', 'a4'], 'in their order');
    const sent = await waitFor(async () => ((await message(a2.id)).status === 'SENT' ? message(a2.id) : null), { what: 'a2 SENT' });
    assert.equal(sent.heldReason, null);
    assert.ok(sent.statusHistory.some((s: { reason?: string }) => s.reason === 'OPTED_IN'));

    await setOptIn(id, '15550403002', 'no');
    const out = await waitFor(async () => ((await message(b1.id)).status === 'OPTED_OUT' ? message(b1.id) : null), { what: 'OPTED_OUT after NO' });
    assert.equal(out.error.code, 'OPTED_OUT');
    assert.equal(out.heldReason, null);
    assert.deepEqual(out.statusHistory.at(-1).status, 'OPTED_OUT');
    await waitFor(() => statuses.some((e) => e.messageId === b1.id && e.status === 'OPTED_OUT'), { what: 'message.status OPTED_OUT' });
    assert.equal(texts(engine, '15550403002').length, 0);
    // A YES afterwards re-subscribes the contact but does not revive what its NO ended.
    await setOptIn(id, '15550403002', 'yes');
    await holds(async () => (await message(b1.id)).status === 'OPTED_OUT', { what: 'a NO is final for its messages' });
  });

  it('leaving hold mode puts held messages back in the queue: refused under refuse, sent without requireOptIn', async () => {
    const { id, engine } = await readySession('15550400005', { requireOptIn: true, optInMode: 'hold', preset: 'off' });
    const m1 = await send(id, '15550404001', 'm1');
    await held(m1.id);
    await api(t).patch(`/api/sessions/${id}/settings`).send({ optInMode: 'refuse' }).expect(200);
    const refused = await waitFor(async () => ((await message(m1.id)).status === 'OPTED_OUT' ? message(m1.id) : null), { what: 'refused' });
    assert.equal(refused.error.code, 'NOT_OPTED_IN');

    await api(t).patch(`/api/sessions/${id}/settings`).send({ optInMode: 'hold' }).expect(200);
    const m2 = await send(id, '15550404002', 'm2');
    await held(m2.id);
    await api(t).patch(`/api/sessions/${id}/settings`).send({ requireOptIn: false }).expect(200);
    await waitFor(() => texts(engine, '15550404002').length === 1, { what: 'sent once opt-in is no longer required' });
  });

  it('the sweep applies an answer this process did not hear of', async () => {
    const { id, engine } = await readySession('15550400006', { requireOptIn: true, optInMode: 'hold', preset: 'off' });
    const m = await send(id, '15550405001', 'via sweep');
    await held(m.id);
    // Recorded behind the app's back (another process, or one that stopped before releasing).
    await t.dataSource.query(`INSERT INTO contact (session_id, jid, opt_in) VALUES ($1, '15550405001@s.whatsapp.net', 'yes')`, [id]);
    await holds(async () => (await message(m.id)).heldReason === 'NOT_OPTED_IN', { what: 'no event, no release' });
    await (t.app.get(Dispatcher) as unknown as { sweep(): Promise<void> }).sweep();
    await waitFor(() => texts(engine, '15550405001').length === 1, { what: 'released by the sweep' });
  });

  it('validates optInMode like the other settings', async () => {
    const { id } = await readySession('15550400007');
    const bad = await api(t).patch(`/api/sessions/${id}/settings`).send({ optInMode: 'queue' }).expect(400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    const info = (await api(t).get(`/api/sessions/${id}`).expect(200)).body.session;
    assert.equal(info.settings.optInMode, 'refuse', 'existing sessions keep refusing');
  });
});
