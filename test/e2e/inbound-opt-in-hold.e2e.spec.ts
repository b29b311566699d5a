import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { EventBus } from '../../src/events/event-bus';
import type { DomainEventOf } from '../../src/events/domain-events';
import { SessionRegistry } from '../../src/sessions/session-registry';
import { isSandboxControl } from '../../src/whatsapp/engine/whatsapp-engine.port';
import { api } from '../support/http';
import { getMessage, linkedSession, messageWithStatus, sendText } from '../support/factories';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';
import { holds, waitFor } from '../support/wait';

/**
 * The WA Gateway's opt-in flow with `optInMode: 'hold'`, over HTTP with the sandbox engine:
 * messages for a contact who never wrote in wait; the contact writes, gets the prompt, answers
 * YES and receives them; another answers NO and its messages end OPTED_OUT.
 */
describe('Opt-in hold: held messages wait for the contact to answer', () => {
  let t: TestApp;
  const statuses: DomainEventOf<'message.status'>[] = [];

  before(async () => {
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, SANDBOX_RECEIPT_DELAY_MS: '0' } });
    t.app.get(EventBus).on('message.status', (e) => void statuses.push(e));
  });
  after(async () => {
    await t?.destroy();
  });

  const inbound = (id: string, from: string, text: string) => api(t).post(`/api/sessions/${id}/sandbox/inbound`).send({ from, text }).expect(202);
  const textsTo = (id: string, phone: string) => {
    const engine = t.app.get(SessionRegistry).readyEngine(id);
    assert.ok(engine && isSandboxControl(engine));
    return engine
      .outbox()
      .filter((m) => m.to === `${phone}@s.whatsapp.net`)
      .map((m) => (m.content.kind === 'text' ? m.content.text : ''));
  };
  const heldMessage = (number: number) =>
    waitFor(async () => {
      const m = await getMessage(t, String(number));
      return m.heldReason === 'NOT_OPTED_IN' ? m : null;
    }, { what: `message #${number} held` });

  it('holds, prompts on first contact, sends on YES, opts out on NO', async () => {
    const { id } = await linkedSession(t, '15559500001');
    await api(t).patch(`/api/sessions/${id}/settings`).send({ requireOptIn: true, optInMode: 'hold', preset: 'off' }).expect(200);
    const yesContact = '15559600001';
    const noContact = '15559600002';

    const promo = await sendText(t, id, yesContact, 'promo');
    const promo2 = await sendText(t, id, yesContact, 'promo 2');
    const other = await sendText(t, id, noContact, 'offer');
    assert.equal(typeof promo.number, 'number');
    const h = await heldMessage(promo.number);
    assert.equal(h.status, 'QUEUED');
    await heldMessage(promo2.number);
    await heldMessage(other.number);
    const list = (await api(t).get(`/api/messages?sessionId=${id}&status=QUEUED`).expect(200)).body.messages;
    assert.equal(list.length, 3, 'held messages are listed as QUEUED');

    // (No automatic receipts: SANDBOX_RECEIPT_DELAY_MS=0 keeps sent messages SENT.)
    // The contact writes in: it gets the prompt, its messages still wait.
    await inbound(id, yesContact, 'hello');
    await waitFor(() => textsTo(id, yesContact).length === 1, { what: 'the opt-in prompt' });
    assert.match(textsTo(id, yesContact)[0], /Reply 1 or YES/);
    await holds(async () => (await getMessage(t, promo.id)).status === 'QUEUED', { what: 'still held after the prompt' });

    // YES: confirmation, then the held messages, in order.
    await inbound(id, yesContact, 'YES');
    await waitFor(() => textsTo(id, yesContact).length === 4, { what: 'confirmation and the two held messages' });
    const sent = textsTo(id, yesContact);
    assert.match(sent[1], /subscribed/);
    assert.deepEqual(sent.slice(2), ['promo', 'promo 2']);
    await messageWithStatus(t, promo.id, 'SENT');
    const after = await sendText(t, id, yesContact, 'after yes');
    await messageWithStatus(t, after.id, 'SENT');

    // NO: confirmation, the held message ends OPTED_OUT (with its event) and is never sent.
    await inbound(id, noContact, 'hi');
    await waitFor(() => textsTo(id, noContact).length === 1, { what: 'prompt to the second contact' });
    await inbound(id, noContact, 'NO');
    const out = await messageWithStatus(t, other.id, 'OPTED_OUT');
    assert.equal(out.error.code, 'OPTED_OUT');
    assert.ok(statuses.some((e) => e.messageId === other.id && e.status === 'OPTED_OUT'));
    await waitFor(() => textsTo(id, noContact).length === 2, { what: 'the opt-out confirmation' });
    assert.ok(!textsTo(id, noContact).includes('offer'));

    // The WA Gateway's resend of an opted-out message by number: queued again, refused again while the answer is NO.
    const resent = await api(t).post(`/api/messages/${other.number}/resend`).expect(202);
    assert.equal(resent.body.message.number, other.number);
    await waitFor(async () => {
      const m = await getMessage(t, other.id);
      return m.status === 'OPTED_OUT' && m.statusHistory.filter((s: { status: string }) => s.status === 'OPTED_OUT').length === 2;
    }, { what: 'refused again after the resend' });
  });
});
