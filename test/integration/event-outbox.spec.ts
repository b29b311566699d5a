import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { CallsService } from '../../src/contacts/calls.service';
import { ContactsService } from '../../src/contacts/contacts.service';
import { EventBus } from '../../src/events/event-bus';
import { ReceiptRecorder } from '../../src/messages/receipt-recorder';
import { EventOutboxRepository } from '../../src/webhooks/event-outbox.repository';
import { WebhooksService } from '../../src/webhooks/webhooks.service';
import { api, eventually } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds } from '../support/test-database';
import { WebhookReceiver } from '../support/webhook-receiver';
import { createSession } from '../support/factories';

/**
 * Each event producer writes its event (outbox row and webhook deliveries) in the transaction
 * of the state change it reports: when the event cannot be written the change is rolled back
 * with it, and a committed change always has its event. The outbox write is made to fail with
 * a CHECK constraint on the event type, a real database error inside the producer's transaction.
 */
for (const kind of testDatabaseKinds()) {
  describe(`Event outbox: one transaction per state change and its event (${kind})`, () => {
    let t: TestApp;
    let receiver: WebhookReceiver;

    before(async () => {
      receiver = await WebhookReceiver.start();
      receiver.down(503);
      t = await startTestApp({
        database: await createTestDatabase(kind),
        env: { SANDBOX_RECEIPT_DELAY_MS: '0', DEFAULT_MIN_DELAY_MS: '0', DEFAULT_MAX_DELAY_MS: '0', WEBHOOK_RETRY_BASE_MS: '60000', QUEUE_LEASE_MS: '600000' },
      });
      await api(t).post('/api/webhooks').send({ url: receiver.url }).expect(201);
    });
    after(async () => {
      await t?.destroy();
      await receiver?.close();
    });

    /** Makes writing matching events fail: by type, or by a text the envelope contains. */
    const block = (type: string, containing?: string) =>
      t.dataSource.query(
        `ALTER TABLE event_outbox ADD CONSTRAINT outbox_test_block CHECK (${containing ? `envelope NOT LIKE '%${containing}%'` : `type <> '${type}'`}) NOT VALID`,
      );
    const unblock = () => t.dataSource.query(`ALTER TABLE event_outbox DROP CONSTRAINT outbox_test_block`);
    /** Events of a type whose envelope contains every marker, from the outbox and from webhook deliveries. */
    const eventsOf = async (type: string, ...markers: string[]) => {
      const like = (column: string) => markers.map((_, i) => ` AND ${column} LIKE $${i + 2}`).join('');
      const params = [type, ...markers.map((m) => `%${m}%`)];
      const outbox = await t.dataSource.query(`SELECT envelope FROM event_outbox WHERE type = $1${like('envelope')} ORDER BY seq`, params);
      const deliveries = await t.dataSource.query(`SELECT body FROM webhook_delivery WHERE event_type = $1${like('body')}`, params);
      const envelopes: { data: Record<string, any> }[] = outbox.map((r: { envelope: string }) => JSON.parse(r.envelope));
      return { outbox: envelopes, deliveries: deliveries.length as number };
    };
    const newSession = () => createSession(t);
    const link = (id: string, phone: string) => api(t).post(`/api/sessions/${id}/sandbox/link`).send({ phoneNumber: phone }).expect(200);

    it('session.status: the status, its history row and its event commit together', async () => {
      const blocked = await newSession();
      await block('session.status');
      try {
        await link(blocked, '15550610001');
        await eventually(async () => t.registry.readyEngine(blocked));
        await t.registry.flushWrites(blocked);
      } finally {
        await unblock();
      }
      const [row] = await t.dataSource.query(`SELECT status FROM session WHERE id = $1`, [blocked]);
      assert.notEqual(row.status, 'READY', 'the status write was rolled back with its event');
      assert.equal((await t.dataSource.query(`SELECT 1 FROM session_status_change WHERE session_id = $1 AND status = 'READY'`, [blocked])).length, 0);
      assert.deepEqual(await eventsOf('session.status', blocked), { outbox: [], deliveries: 0 });

      const committed = await newSession();
      await link(committed, '15550610002');
      await eventually(async () => t.registry.readyEngine(committed));
      await t.registry.flushWrites(committed);
      const ready = (await eventsOf('session.status', committed, '"READY"')).outbox;
      assert.equal(ready.length, 1);
      assert.equal(ready[0].data.status, 'READY');
      assert.equal((await t.dataSource.query(`SELECT status FROM session WHERE id = $1`, [committed]))[0].status, 'READY');
      assert.equal((await t.dataSource.query(`SELECT 1 FROM session_status_change WHERE session_id = $1 AND status = 'READY'`, [committed])).length, 1);
      assert.equal((await eventsOf('session.status', committed, '"READY"')).deliveries, 1);
    });

    it('message.status: a send and a receipt change the row only together with their event', async () => {
      const sessionId = await newSession();
      await link(sessionId, '15550610003');
      await eventually(async () => t.registry.readyEngine(sessionId));
      const send = async (to: string) =>
        (await api(t).post('/api/messages/send').send({ sessionId, to, type: 'text', text: 'x' }).expect(202)).body.message.id as string;
      const statusOf = async (id: string) => (await t.dataSource.query(`SELECT status FROM message WHERE id = $1`, [id]))[0].status as string;

      // Sent, but the SENT write fails with its event: the row stays claimed (SENDING) until
      // its lease runs out and it is sent again. A later message gets through.
      await block('message.status', '15550619001@');
      let unsent: string;
      try {
        unsent = await send('15550619001');
        await eventually(async () => (await t.dataSource.query(`SELECT 1 FROM message WHERE id = $1 AND attempts >= 1`, [unsent])).length === 1);
        const later = await send('15550619002');
        await eventually(async () => (await statusOf(later)) === 'SENT');
      } finally {
        await unblock();
      }
      assert.equal(await statusOf(unsent), 'SENDING');
      assert.deepEqual(await eventsOf('message.status', unsent), { outbox: [], deliveries: 0 });

      const a = await send('15550619003');
      const b = await send('15550619004');
      await eventually(async () => (await statusOf(a)) === 'SENT' && (await statusOf(b)) === 'SENT');
      assert.deepEqual((await eventsOf('message.status', a)).outbox.map((e) => e.data.status), ['SENT']);
      assert.equal((await eventsOf('message.status', a)).deliveries, 1);
      const waIdOf = async (id: string) => (await t.dataSource.query(`SELECT wa_message_id FROM message WHERE id = $1`, [id]))[0].wa_message_id as string;
      const receipt = async (id: string, to: string) =>
        t.app.get(EventBus).emit({
          type: 'message.receipt',
          sessionId,
          update: { waMessageId: await waIdOf(id), chatJid: `${to}@s.whatsapp.net`, status: 'DELIVERED', at: new Date() },
        });

      // A receipt whose event cannot be written leaves its row as it was; the next one (for
      // another message, recorded after it) is recorded.
      await block('message.status', '15550619003@');
      try {
        await receipt(a, '15550619003');
        await receipt(b, '15550619004');
        await eventually(async () => (await statusOf(b)) === 'DELIVERED');
      } finally {
        await unblock();
      }
      assert.equal(await statusOf(a), 'SENT');
      assert.deepEqual((await eventsOf('message.status', a)).outbox.map((e) => e.data.status), ['SENT']);
      assert.deepEqual((await eventsOf('message.status', b)).outbox.map((e) => e.data.status), ['SENT', 'DELIVERED']);

      await receipt(a, '15550619003');
      await eventually(async () => (await statusOf(a)) === 'DELIVERED');
      assert.deepEqual((await eventsOf('message.status', a)).outbox.map((e) => e.data.status), ['SENT', 'DELIVERED']);
      assert.equal((await eventsOf('message.status', a)).deliveries, 2);
    });

    it('message.status: an awaited receipt resolves once its status and event committed, and rejects when they could not be', async () => {
      const sessionId = await newSession();
      await link(sessionId, '15550610005');
      await eventually(async () => t.registry.readyEngine(sessionId));
      const send = async (to: string) =>
        (await api(t).post('/api/messages/send').send({ sessionId, to, type: 'text', text: 'x' }).expect(202)).body.message.id as string;
      const rowOf = async (id: string) => (await t.dataSource.query(`SELECT status, wa_message_id FROM message WHERE id = $1`, [id]))[0];
      const a = await send('15550619011');
      const b = await send('15550619012');
      await eventually(async () => (await rowOf(a)).status === 'SENT' && (await rowOf(b)).status === 'SENT');
      const update = async (id: string, status: 'DELIVERED' | 'READ') => ({
        waMessageId: (await rowOf(id)).wa_message_id as string,
        chatJid: '',
        status,
        at: new Date(),
      });
      const recorder = t.app.get(ReceiptRecorder);

      await block('message.status', '15550619011@');
      try {
        await assert.rejects(recorder.record(sessionId, [await update(a, 'DELIVERED')]));
        // Another message's receipt, recorded concurrently, is not held back by it.
        await recorder.record(sessionId, [await update(b, 'DELIVERED')]);
        assert.equal((await rowOf(b)).status, 'DELIVERED');
      } finally {
        await unblock();
      }
      assert.equal((await rowOf(a)).status, 'SENT', 'nothing recorded without its event');

      await Promise.all([recorder.record(sessionId, [await update(a, 'DELIVERED')]), recorder.record(sessionId, [await update(a, 'READ')])]);
      assert.equal((await rowOf(a)).status, 'READ', 'resolved only after the commit');
      assert.deepEqual((await eventsOf('message.status', a)).outbox.map((e) => e.data.status), ['SENT', 'DELIVERED', 'READ']);
      // A receipt recorded twice (WhatsApp redelivers what was not acknowledged) is a no-op.
      await recorder.record(sessionId, [await update(a, 'DELIVERED'), await update(a, 'READ')]);
      assert.deepEqual((await eventsOf('message.status', a)).outbox.map((e) => e.data.status), ['SENT', 'DELIVERED', 'READ']);
    });

    it('message.status: cancel and resend write their event with the status change', async () => {
      const sessionId = await newSession();
      await link(sessionId, '15550610006');
      await eventually(async () => t.registry.readyEngine(sessionId));
      await api(t).post(`/api/sessions/${sessionId}/stop`).expect(200);
      const queued = (await api(t).post('/api/messages/send').send({ sessionId, to: '15550619021', type: 'text', text: 'later' }).expect(202)).body
        .message.id as string;
      const canceled = await api(t).delete(`/api/messages/${queued}`).expect(200);
      assert.equal(canceled.body.message.status, 'CANCELED');
      assert.deepEqual((await eventsOf('message.status', queued, '"CANCELED"')).outbox.map((e) => e.data.status), ['CANCELED']);
      assert.equal((await eventsOf('message.status', queued, '"CANCELED"')).deliveries, 1);

      const resent = await api(t).post(`/api/messages/${queued}/resend`).expect(202);
      assert.equal(resent.body.message.status, 'QUEUED');
      assert.deepEqual((await eventsOf('message.status', queued, '"QUEUED"')).outbox.map((e) => e.data.status), ['QUEUED']);
      assert.equal((await eventsOf('message.status', queued, '"QUEUED"')).deliveries, 1);

      // When the event cannot be written, the cancel does not happen either.
      await block('message.status', '"CANCELED"');
      try {
        const res = await api(t).delete(`/api/messages/${queued}`);
        assert.notEqual(res.status, 200);
      } finally {
        await unblock();
      }
      assert.equal((await t.dataSource.query(`SELECT status FROM message WHERE id = $1`, [queued]))[0].status, 'QUEUED');
    });

    it('contact.opt_in: the answer and its event commit together', async () => {
      const sessionId = await newSession();
      const contacts = t.app.get(ContactsService);
      const jid = '15550618001@s.whatsapp.net';
      await contacts.record(sessionId, jid, '15550618001', 'no', 'api');
      await block('contact.opt_in');
      try {
        await assert.rejects(contacts.record(sessionId, jid, '15550618001', 'yes', 'api'), /outbox_test_block/);
      } finally {
        await unblock();
      }
      assert.equal((await contacts.find(sessionId, jid))!.optIn, 'no', 'the answer was rolled back with its event');
      assert.deepEqual((await eventsOf('contact.opt_in', sessionId)).outbox.map((e) => e.data.optIn), ['no']);

      await api(t).patch(`/api/sessions/${sessionId}/contacts/15550618001`).send({ optIn: 'yes' }).expect(200);
      assert.equal((await contacts.find(sessionId, jid))!.optIn, 'yes');
      assert.deepEqual((await eventsOf('contact.opt_in', sessionId)).outbox.map((e) => e.data.optIn), ['no', 'yes']);
      assert.equal((await eventsOf('contact.opt_in', sessionId)).deliveries, 2);
    });

    it('call.received: recorded once per call, or the handling fails', async () => {
      const sessionId = await newSession();
      const calls = t.app.get(CallsService);
      const call = (id: string) => ({ id, from: '15550617001@s.whatsapp.net', fromPhone: '15550617001', isVideo: false, isGroup: false, at: new Date() });
      await block('call.received');
      try {
        await assert.rejects(calls.handle(sessionId, call('CALL-BLOCKED')), /outbox_test_block/);
      } finally {
        await unblock();
      }
      assert.deepEqual(await eventsOf('call.received', 'CALL-BLOCKED'), { outbox: [], deliveries: 0 });
      await calls.handle(sessionId, call('CALL-OK'));
      const { outbox, deliveries } = await eventsOf('call.received', 'CALL-OK');
      assert.equal(outbox.length, 1);
      assert.equal(outbox[0].data.call.id, 'CALL-OK');
      assert.equal(deliveries, 1);
    });

    it('prunes events older than the retention', async () => {
      const sessionId = await newSession();
      for (const n of ['old-1', 'old-2', 'fresh']) await t.app.get(WebhooksService).publish({ type: 'contact.opt_in', sessionId, data: { n } });
      await t.dataSource.query(`UPDATE event_outbox SET created_at = now() - interval '73 hours' WHERE envelope LIKE '%"old-%'`);
      assert.ok((await t.app.get(EventOutboxRepository).prune(72)) >= 2);
      assert.deepEqual((await eventsOf('contact.opt_in', sessionId)).outbox.map((e) => e.data.n), ['fresh']);
    });
  });
}

/** Needs a second connection to hold a row lock (an embedded database has one). */
describe('Session state writes and the requests that follow them', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ database: await createTestDatabase('postgres') });
  });
  after(async () => t?.destroy());

  it('a send right after the session turned READY waits for the status write instead of failing SESSION_NOT_LINKED', async () => {
    const sessionId = await createSession(t);
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    let sending: Promise<{ status: number; body: any }> | undefined;
    try {
      await runner.startTransaction();
      // The status writes of the link wait for this lock, as for a slow database.
      await runner.query(`LOCK TABLE event_outbox IN EXCLUSIVE MODE`);
      const linking = api(t).post(`/api/sessions/${sessionId}/sandbox/link`).send({ phoneNumber: '15550630001' }).then((r) => r);
      await eventually(async () => t.registry.readyEngine(sessionId));
      assert.equal(t.registry.liveState(sessionId)?.status, 'READY');
      sending = api(t).post('/api/messages/send').send({ sessionId, to: '15550639001', type: 'text', text: 'x' }).then((r) => r);
      await new Promise((r) => setTimeout(r, 200));
      await runner.commitTransaction();
      await linking;
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    const res = await sending!;
    assert.equal(res.status, 202, JSON.stringify(res.body));
  });
});
