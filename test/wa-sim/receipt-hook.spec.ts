/**
 * The patched Baileys hooks (scripts/patch-baileys.mjs) against the simulator.
 * `onMessageBeforeReceipt`: the receipt waits for it, a throw withholds the receipt, and the
 * server keeps an unacknowledged message and delivers it again after the next login.
 * `onReceiptBeforeAck`: the ack of a contact's status receipt waits for it, a throw withholds
 * the ack, and the server delivers the unacknowledged receipt again after the next login.
 */
import assert from 'node:assert/strict';
import { after, before, test } from '../support/node-test';
import type { proto } from '@whiskeysockets/baileys';
import { connectClient, type MemoryAuth, type TestClient } from './baileys-client';
import { startSimulator, waitUntil, type SimFixture } from './fixtures';

const PHONE = '15558100001';
let f: SimFixture;
let auth: MemoryAuth;
const ended: TestClient[] = [];

before(async () => {
  f = await startSimulator();
  const linked = await f.linkWithQr(PHONE);
  auth = linked.auth;
  await linked.client.end();
});
after(async () => {
  await Promise.all(ended.map((c) => c.end()));
  await f.close();
});

const upserted = (client: TestClient, id: string) =>
  client.events['messages.upsert']!.some((e) => e.messages.some((m) => m.key.id === id));

test('the receipt waits for the hook, which gets the cleaned message; a throw means no receipt and a redelivery after the next login', async () => {
  const bob = f.sim.addContact('15558100002', 'Bob');
  const fromBob = (msg: proto.IWebMessageInfo) => msg.key?.remoteJid === bob.jid;

  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const seen: proto.IWebMessageInfo[] = [];
  const holding = connectClient(f.sim.url, auth, {
    onMessageBeforeReceipt: async (msg) => {
      if (!fromBob(msg)) return;
      seen.push(msg);
      await held;
    },
  });
  ended.push(holding);
  await holding.waitForOpen();
  const first = await f.sim.contactSend(bob.phoneNumber, PHONE, 'held until stored');
  await waitUntil(() => seen.length === 1, 5000, 'the hook is called');
  assert.equal(seen[0].key?.id, first.id);
  assert.equal(seen[0].message?.conversation, 'held until stored');
  assert.equal(f.sim.message(first.id)?.receipts.delivery, undefined, 'no receipt while the hook runs');
  assert.equal(upserted(holding, first.id), false, 'no upsert before the hook resolved');
  release();
  await waitUntil(() => Boolean(f.sim.message(first.id)?.receipts.delivery), 5000, 'the receipt after the hook');
  await waitUntil(() => upserted(holding, first.id), 5000, 'the upsert after the receipt');
  await holding.end();

  const failing = connectClient(f.sim.url, auth, {
    onMessageBeforeReceipt: async (msg) => {
      if (fromBob(msg)) throw new Error('storage is down');
    },
  });
  ended.push(failing);
  await failing.waitForOpen();
  f.sim.clearErrors();
  const second = await f.sim.contactSend(bob.phoneNumber, PHONE, 'refused once');
  await waitUntil(() => f.sim.errorList().some((e) => e.kind === 'client-nack' && e.message.includes(second.id)), 5000, 'Baileys nacks it');
  assert.equal(f.sim.message(second.id)?.receipts.delivery, undefined, 'a refused message gets no receipt');
  assert.equal(upserted(failing, second.id), false);
  await failing.end();

  const stored: string[] = [];
  const working = connectClient(f.sim.url, auth, {
    onMessageBeforeReceipt: async (msg) => {
      if (fromBob(msg)) stored.push(msg.key!.id!);
    },
  });
  ended.push(working);
  await working.waitForOpen();
  await waitUntil(() => Boolean(f.sim.message(second.id)?.receipts.delivery), 8000, 'the redelivered message is acknowledged');
  assert.deepEqual(stored, [second.id]);
  await waitUntil(() => upserted(working, second.id), 5000, 'and upserted');
});

const statusUpdated = (client: TestClient, id: string, status: number) =>
  client.events['messages.update']!.some((us) => us.some((u) => u.key.id === id && u.update.status === status));

test('the ack of a status receipt waits for onReceiptBeforeAck; a throw means no ack and a redelivery after the next login', async () => {
  const DELIVERY_ACK = 3;
  const READ = 4;
  const carol = f.sim.addContact('15558100003', 'Carol');
  type Updates = { key: { id?: string | null; fromMe?: boolean | null; remoteJid?: string | null }; update: { status?: number | null } }[];

  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const seen: Updates[] = [];
  const holding = connectClient(f.sim.url, auth, {
    onReceiptBeforeAck: async (updates) => {
      seen.push(updates);
      await held;
    },
  });
  ended.push(holding);
  await holding.waitForOpen();
  // The contact's phone sends the delivery receipt by itself.
  const id = (await holding.sock.sendMessage(carol.jid, { text: 'status held until stored' }))!.key.id!;
  await waitUntil(() => seen.length === 1, 8000, 'the hook is called with the delivery receipt');
  assert.deepEqual(
    seen[0].map((u) => [u.key.id, u.key.fromMe, u.key.remoteJid, u.update.status]),
    [[id, true, carol.jid, DELIVERY_ACK]],
  );
  assert.ok(f.sim.message(id)?.receipts.delivery, 'the contact sent it');
  assert.equal(f.sim.message(id)?.receiptAcks?.delivery, undefined, 'no ack while the hook runs');
  assert.equal(statusUpdated(holding, id, DELIVERY_ACK), false, 'no messages.update before the hook resolved');
  release();
  await waitUntil(() => Boolean(f.sim.message(id)?.receiptAcks?.delivery), 5000, 'the ack after the hook');
  await waitUntil(() => statusUpdated(holding, id, DELIVERY_ACK), 5000, 'the messages.update after the hook');
  await holding.end();

  // Storage is down for the read receipt: no ack. A later receipt that is stored is acked;
  // receipts are handled in order, so by then the refused one was handled too.
  const refused: string[] = [];
  const failing = connectClient(f.sim.url, auth, {
    onReceiptBeforeAck: async (updates) => {
      if (updates.some((u) => u.key.id === id)) {
        refused.push(id);
        throw new Error('storage is down');
      }
    },
  });
  ended.push(failing);
  await failing.waitForOpen();
  f.sim.receipt(id, 'read');
  await waitUntil(() => refused.length === 1, 5000, 'the hook refuses the read receipt');
  const later = (await failing.sock.sendMessage(carol.jid, { text: 'later' }))!.key.id!;
  await waitUntil(() => Boolean(f.sim.message(later)?.receiptAcks?.delivery), 8000, 'a stored receipt is acked');
  assert.equal(f.sim.message(id)?.receiptAcks?.read, undefined, 'a refused receipt is not acked');
  assert.equal(statusUpdated(failing, id, READ), false, 'nor reported as messages.update');
  await failing.end();

  const stored: Updates = [];
  const working = connectClient(f.sim.url, auth, {
    onReceiptBeforeAck: async (updates) => {
      stored.push(...updates);
    },
  });
  ended.push(working);
  await working.waitForOpen();
  await waitUntil(() => Boolean(f.sim.message(id)?.receiptAcks?.read), 8000, 'the redelivered read receipt is acked');
  assert.deepEqual(
    stored.filter((u) => u.key.id === id).map((u) => u.update.status),
    [READ],
  );
  await waitUntil(() => statusUpdated(working, id, READ), 5000, 'and reported as messages.update');
});
