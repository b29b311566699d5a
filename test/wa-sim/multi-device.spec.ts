/**
 * Several companions per number, and simulated accounts messaging each other.
 */
import assert from 'node:assert/strict';
import { after, before, test } from '../support/node-test';
import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { startSimulator, statusOf, waitUntil, type SimFixture } from './fixtures';

const textOf = (m: WAMessage) => m.message?.conversation ?? m.message?.extendedTextMessage?.text;

let f: SimFixture;
before(async () => {
  f = await startSimulator();
});
after(async () => {
  await f.close();
});

test('two companions of one number: both get inbound messages, each sees the other’s sends', async () => {
  const a1 = await f.linkWithQr('15551110001');
  const a2 = await f.linkWithQr('15551110001');
  const zed = f.sim.addContact('15553330003', 'Zed');

  const { id } = await f.sim.contactSend(zed.phoneNumber, '15551110001', 'to both');
  for (const { client } of [a1, a2]) {
    const up = await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 8000);
    assert.equal(textOf(up.messages.find((m) => m.key.id === id)!), 'to both');
  }
  assert.deepEqual(f.sim.message(id)!.deliveredToDevices!.sort(), [a1.link.deviceId, a2.link.deviceId].sort());

  const sent = await a1.client.sock.sendMessage(zed.jid, { text: 'from companion 1' });
  assert.equal((await f.sim.waitForMessage((m) => m.id === sent!.key.id, 8000)).text, 'from companion 1');
  const echo = await a2.client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === sent!.key.id), 8000);
  const copy = echo.messages.find((m) => m.key.id === sent!.key.id)!;
  assert.equal(copy.key.fromMe, true);
  assert.equal(copy.key.remoteJid, zed.jid);
  assert.equal(textOf(copy), 'from companion 1');
  f.sim.assertNoErrors();
});

test('account → account: the other number’s companion receives it, the sender gets receipts', async () => {
  const a = await f.linkWithQr('15551110011');
  const b = await f.linkWithQr('15552220022');
  const sent = await a.client.sock.sendMessage(b.link.phoneNumber + '@s.whatsapp.net', { text: 'hello B' });
  const id = sent!.key.id!;
  const rec = await f.sim.waitForMessage((m) => m.id === id, 8000);
  assert.deepEqual([rec.from, rec.to, rec.text], [a.link.phoneNumber, b.link.phoneNumber, 'hello B']);
  const up = await b.client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 8000);
  const got = up.messages.find((m) => m.key.id === id)!;
  assert.equal(got.key.remoteJid, `${a.link.phoneNumber}@s.whatsapp.net`);
  assert.equal(textOf(got), 'hello B');
  await waitUntil(() => statusOf(a.client, id) >= proto.WebMessageInfo.Status.DELIVERY_ACK, 8000, 'delivery to A');

  const reply = await b.client.sock.sendMessage(a.link.phoneNumber + '@s.whatsapp.net', { text: 'hello A' });
  const back = await a.client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === reply!.key.id), 8000);
  assert.equal(textOf(back.messages.find((m) => m.key.id === reply!.key.id)!), 'hello A');
  f.sim.assertNoErrors();
});
