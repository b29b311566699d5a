import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { ReceiptRecorder } from '../../src/messages/receipt-recorder';
import { MessageStatus } from '../../src/messages/message-status';
import type { HourlyFlow } from '../../src/messages/messages.repository';
import { api } from '../support/http';
import { FAST_QUEUE_ENV, startTestApp, type TestApp } from '../support/test-app';
import { createToken, getMessage, linkedSession, messageWithStatus, sendText, type Message } from '../support/factories';
import { waitFor } from '../support/wait';

type Hour = HourlyFlow;

/** The UTC hour of an instant, as the overview names it. */
const hourOf = (at: string | Date) => `${new Date(at).toISOString().slice(0, 13)}:00:00Z`;

/**
 * The overview's messages per hour on the real database: messages driven through the queue
 * (sent, failed), receipts recorded as an engine records them (delivered, read, with their own
 * times) and inbound messages, each counted in the hour it happened.
 */
describe('Dashboard overview: messages per hour by delivery state', () => {
  let t: TestApp;
  before(async () => {
    // No automatic receipts: the spec records them itself, with the times it chooses.
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, SANDBOX_RECEIPT_DELAY_MS: '0' } });
  });
  after(async () => {
    await t?.destroy();
  });

  const overview = async (token?: string) =>
    (await api(t, token).get('/api/dashboard/overview').expect(200)).body.overview as { messages: { hourly: Hour[]; last24h: { inbound: number } } };
  const sum = (hours: Hour[], key: keyof Omit<Hour, 'hour'>) => hours.reduce((a, h) => a + h[key], 0);
  const at = (hours: Hour[], hour: string) => hours.find((h) => h.hour === hour) ?? { hour, outbound: 0, sent: 0, delivered: 0, read: 0, failed: 0, inbound: 0 };

  it('counts sent, delivered, read and failed outbound messages and inbound ones in the hour each happened', async () => {
    const { id } = await linkedSession(t, '15557100001');
    const { id: otherSession } = await linkedSession(t, '15557100002');
    const texts: Message[] = [];
    for (const to of ['15557200001', '15557200002', '15557200003', '15557200004']) texts.push(await sendText(t, id, to, 'hello'));
    // Numbers ending in 0000 are not on WhatsApp in the sandbox: a permanent failure.
    const doomed = await sendText(t, id, '15557210000', 'nobody there');
    for (const m of texts) await messageWithStatus(t, m.id, 'SENT');
    await messageWithStatus(t, doomed.id, 'FAILED');

    // Receipts as WhatsApp reports them, through the engines' receipt sink: one delivered
    // now, one read now, one read more than an hour ago (its receipt time decides its hour).
    const now = new Date();
    const earlier = new Date(now.getTime() - 65 * 60_000);
    await t.app.get(ReceiptRecorder).record(id, [
      { waMessageId: texts[0].waMessageId, chatJid: '15557200001@s.whatsapp.net', status: MessageStatus.DELIVERED, at: now },
      { waMessageId: texts[1].waMessageId, chatJid: '15557200002@s.whatsapp.net', status: MessageStatus.READ, at: now },
      { waMessageId: texts[2].waMessageId, chatJid: '15557200003@s.whatsapp.net', status: MessageStatus.READ, at: earlier },
    ]);
    await api(t).post(`/api/sessions/${id}/sandbox/inbound`).send({ from: '15557200001', text: 'thanks' }).expect(202);
    await api(t).post(`/api/sessions/${id}/sandbox/inbound`).send({ from: '15557200002', text: 'got it' }).expect(202);
    // Another session's traffic, for the scope check below.
    await api(t).post(`/api/sessions/${otherSession}/sandbox/inbound`).send({ from: '15557200009', text: 'elsewhere' }).expect(202);

    const o = await waitFor(async () => {
      const res = await overview();
      return res.messages.last24h.inbound === 3 ? res : null;
    }, { what: 'three inbound messages in the overview' });
    const hourly = o.messages.hourly;
    assert.equal(sum(hourly, 'outbound'), 5, 'five messages queued');
    assert.equal(sum(hourly, 'sent'), 4, 'four reached WhatsApp');
    assert.equal(sum(hourly, 'delivered'), 3, 'delivered: one delivered and the two read');
    assert.equal(sum(hourly, 'read'), 2);
    assert.equal(sum(hourly, 'failed'), 1);
    assert.equal(sum(hourly, 'inbound'), 3);

    // Each figure sits in the hour its own timestamp names.
    const stored = await Promise.all(texts.map((m) => getMessage(t, m.id)));
    assert.equal(stored[2].readAt, earlier.toISOString());
    const early = at(hourly, hourOf(earlier));
    assert.deepEqual({ delivered: early.delivered, read: early.read }, { delivered: 1, read: 1 });
    for (const hour of new Set(stored.map((m) => hourOf(m.sentAt)))) {
      assert.equal(at(hourly, hour).sent, stored.filter((m) => hourOf(m.sentAt) === hour).length);
    }
    const failedAt = (await getMessage(t, doomed.id)).statusHistory.find((c: { status: string }) => c.status === 'FAILED').at;
    assert.equal(at(hourly, hourOf(failedAt)).failed, 1);
    // Hours are whole UTC hours, oldest first, and only hours with something in them.
    assert.deepEqual(hourly.map((h) => h.hour), [...hourly.map((h) => h.hour)].sort());
    for (const h of hourly) {
      assert.match(h.hour, /^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
      assert.ok(h.outbound + h.sent + h.delivered + h.read + h.failed + h.inbound > 0);
    }

    // A message that fails again after a resend in the same hour is one failed message there.
    await api(t).post(`/api/messages/${doomed.id}/resend`).expect(202);
    await waitFor(async () => {
      const m = await getMessage(t, doomed.id);
      return m.status === 'FAILED' && m.statusHistory.filter((c: { status: string }) => c.status === 'FAILED').length === 2;
    }, { what: 'the resent message failing again' });
    const again = (await overview()).messages.hourly;
    const failures = (await getMessage(t, doomed.id)).statusHistory.filter((c: { status: string }) => c.status === 'FAILED');
    assert.equal(sum(again, 'failed'), new Set(failures.map((c: { at: string }) => hourOf(c.at))).size);

    // A token bound to the other session sees only that session's hour: one inbound message.
    const token = await createToken(t, { name: 'other', sessionId: otherSession });
    const bound = (await overview(token)).messages.hourly;
    assert.deepEqual(
      { outbound: sum(bound, 'outbound'), sent: sum(bound, 'sent'), delivered: sum(bound, 'delivered'), read: sum(bound, 'read'), failed: sum(bound, 'failed'), inbound: sum(bound, 'inbound') },
      { outbound: 0, sent: 0, delivered: 0, read: 0, failed: 0, inbound: 1 },
    );
  });
});
