/**
 * Text messaging through real Baileys: outbound decrypt by the contact, receipts, inbound
 * Signal messages, offline delivery, onWhatsApp.
 */
import assert from 'node:assert/strict';
import { after, before, test } from '../support/node-test';
import { proto } from '@whiskeysockets/baileys';
import type { TestClient } from './baileys-client';
import { startSimulator, statusOf, waitUntil, type SimFixture } from './fixtures';
import type { LinkResult } from './wa-simulator';

const { Status } = proto.WebMessageInfo;

let f: SimFixture;
let client: TestClient;
let link: LinkResult;
before(async () => {
  f = await startSimulator();
  ({ client, link } = await f.linkWithQr());
});
after(async () => {
  await f.close();
});

test('sendMessage(text) → contact decrypts it; delivery then read receipts → DELIVERY_ACK, READ', async () => {
  const alice = f.sim.addContact('15557770001', 'Alice');
  const sent = await client.sock.sendMessage(alice.jid, { text: 'hello alice' });
  const id = sent!.key.id!;
  const got = await f.sim.waitForMessage((m) => m.id === id, 8000);
  assert.equal(got.direction, 'out');
  assert.equal(got.from, link.phoneNumber);
  assert.equal(got.to, alice.phoneNumber);
  assert.equal(got.fromDevice, link.deviceId);
  assert.equal(got.type, 'text');
  assert.equal(got.text, 'hello alice');

  // Automatic delivery receipt (default on), after the 150 ms phone delay → messages.update.
  await waitUntil(() => statusOf(client, id) >= Status.DELIVERY_ACK, 8000, 'delivery status');
  assert.ok(client.events['messages.update']!.flat().some((u) => u.key.id === id && u.update.status === Status.DELIVERY_ACK));

  f.sim.receipt(id, 'read');
  const read = await client.waitFor('messages.update', (us) => us.some((u) => u.key.id === id && u.update.status === Status.READ), 8000);
  assert.equal(read.find((u) => u.key.id === id)!.key.remoteJid, alice.jid);
  assert.ok(f.sim.message(id)!.receipts.read);
  f.sim.assertNoErrors();
});

test('several messages in a row reuse the Signal session (msg after pkmsg)', async () => {
  const bob = f.sim.addContact('15557770002', 'Bob');
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await client.sock.sendMessage(bob.jid, { text: `n${i}` }))!.key.id!);
  for (const [i, id] of ids.entries()) assert.equal((await f.sim.waitForMessage((m) => m.id === id, 8000)).text, `n${i}`);
  f.sim.assertNoErrors();
});

test('reaction, edit and delete arrive as such (quotedId = the target message)', async () => {
  const gus = f.sim.addContact('15557770007', 'Gus');
  const sent = await client.sock.sendMessage(gus.jid, { text: 'typo' });
  const key = sent!.key;
  const react = await client.sock.sendMessage(gus.jid, { react: { text: '👍', key } });
  const edit = await client.sock.sendMessage(gus.jid, { text: 'fixed', edit: key });
  const del = await client.sock.sendMessage(gus.jid, { delete: key });
  const r = await f.sim.waitForMessage((m) => m.id === react!.key.id, 8000);
  assert.deepEqual([r.type, r.reactionText, r.quotedId, r.stanzaType], ['reaction', '👍', key.id, 'reaction']);
  const e = await f.sim.waitForMessage((m) => m.id === edit!.key.id, 8000);
  assert.deepEqual([e.type, e.text, e.quotedId], ['edit', 'fixed', key.id]);
  const d = await f.sim.waitForMessage((m) => m.id === del!.key.id, 8000);
  assert.deepEqual([d.type, d.quotedId], ['revoke', key.id]);
  f.sim.assertNoErrors();
});

test('contact sends text → messages.upsert notify with the text; account receipts are recorded', async () => {
  const carol = f.sim.addContact('15557770003', 'Carol');
  const { id } = await f.sim.contactSend(carol.phoneNumber, link.phoneNumber, 'hi from carol');
  const up = await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 8000);
  assert.equal(up.type, 'notify');
  const msg = up.messages.find((m) => m.key.id === id)!;
  assert.equal(msg.key.fromMe, false);
  assert.equal(msg.key.remoteJid, carol.jid);
  assert.equal(msg.key.remoteJidAlt, carol.lidJid);
  assert.equal(msg.message?.conversation, 'hi from carol');
  assert.equal(msg.pushName, 'Carol');

  // Baileys acks with a receipt (type "inactive" while not online) → recorded as delivery.
  await waitUntil(() => !!f.sim.message(id)!.receipts.delivery, 8000, 'account delivery receipt');
  await client.sock.readMessages([msg.key]);
  await waitUntil(() => !!f.sim.message(id)!.receipts.read, 8000, 'account read receipt');
  assert.deepEqual(f.sim.message(id)!.deliveredToDevices, [link.deviceId]);

  // Reply on the same chat after receiving (session built by the contact is reused).
  const reply = await client.sock.sendMessage(carol.jid, { text: 'hi carol' }, { quoted: msg });
  const got = await f.sim.waitForMessage((m) => m.id === reply!.key.id, 8000);
  assert.equal(got.text, 'hi carol');
  assert.equal(got.quotedId, id);
  f.sim.assertNoErrors();
});

test('contact sends with LID addressing (from=LID@lid, sender_pn) → upsert keyed by the LID', async () => {
  const dave = f.sim.addContact('15557770004', 'Dave');
  const { id } = await f.sim.contactSend(dave.phoneNumber, link.phoneNumber, { text: 'lid hello' }, { addressing: 'lid' });
  const up = await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 8000);
  const msg = up.messages.find((m) => m.key.id === id)!;
  assert.equal(msg.key.remoteJid, dave.lidJid);
  assert.equal(msg.key.remoteJidAlt, dave.jid);
  assert.equal(msg.message?.conversation, 'lid hello');

  // Replying to the LID chat: Baileys addresses LID devices; receipts come from the LID.
  const reply = await client.sock.sendMessage(dave.lidJid, { text: 'lid reply' });
  const got = await f.sim.waitForMessage((m) => m.id === reply!.key.id, 8000);
  assert.deepEqual([got.to, got.text], [dave.phoneNumber, 'lid reply']);
  await waitUntil(() => statusOf(client, reply!.key.id!) >= Status.DELIVERY_ACK, 8000, 'delivery on LID chat');
  f.sim.assertNoErrors();
});

test('messages sent while the device is offline arrive after login (offline="1")', async () => {
  const erin = f.sim.addContact('15557770005', 'Erin');
  const auth = client.auth;
  await client.end();
  const { id } = await f.sim.contactSend(erin.phoneNumber, link.phoneNumber, 'while you were away');
  assert.deepEqual(f.sim.message(id)!.deliveredToDevices, []);
  client = f.connect(auth);
  await client.waitForOpen();
  const up = await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 8000);
  assert.equal(up.messages.find((m) => m.key.id === id)!.message?.conversation, 'while you were away');
  assert.equal(up.type, 'append');
  f.sim.assertNoErrors();
});

test('a receipt sent while the sender is offline arrives after its next login', async () => {
  const hal = f.sim.addContact('15557770008', 'Hal');
  f.sim.setAutoReceipts({ delivery: false });
  try {
    const sent = await client.sock.sendMessage(hal.jid, { text: 'read me later' });
    const id = sent!.key.id!;
    await f.sim.waitForMessage((m) => m.id === id, 8000);
    const auth = client.auth;
    await client.end();
    f.sim.receipt(id, 'read');
    client = f.connect(auth);
    await client.waitForOpen();
    const upd = await client.waitFor('messages.update', (us) => us.some((u) => u.key.id === id && u.update.status === Status.READ), 8000);
    assert.equal(upd.find((u) => u.key.id === id)!.key.fromMe, true);
  } finally {
    f.sim.setAutoReceipts({ delivery: true });
  }
  f.sim.assertNoErrors();
});

test('onWhatsApp: contacts exist, unknown numbers do not', async () => {
  const frank = f.sim.addContact('15557770006', 'Frank');
  // Baileys drops users whose <contact> is not type="in" from the result.
  const res = await client.sock.onWhatsApp(frank.phoneNumber, '15550000000');
  assert.deepEqual(res, [{ jid: frank.jid, exists: true }]);
  f.sim.assertNoErrors();
});
