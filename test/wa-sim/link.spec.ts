/**
 * Linking a Baileys companion: QR, pairing code, reconnect with stored creds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from '../support/node-test';
import { DEFAULT_CONNECTION_CONFIG, initAuthCreds, jidDecode } from '@whiskeysockets/baileys';
import { connectClient, memoryAuth } from './baileys-client';
import { startSimulator, type SimFixture } from './fixtures';

let f: SimFixture;
before(async () => {
  f = await startSimulator();
});
after(async () => {
  await f.close();
});

test('QR scan → 515 → new socket with the same creds opens as the account', async () => {
  const { client, link, auth } = await f.linkWithQr('15550001001');
  assert.equal(link.phoneNumber, '15550001001');
  assert.match(link.lid, /^[1-9]\d{14}$/);
  assert.equal(client.sock.user?.id, link.jid);
  assert.equal(jidDecode(client.sock.user!.id)!.user, '15550001001');
  assert.equal(client.sock.user?.lid, link.lidJid);
  assert.equal(jidDecode(client.sock.user!.lid!)!.user, link.lid);
  assert.ok(auth.creds.me?.id, 'creds.me stored');
  const [account] = f.sim.accounts().filter((a) => a.phoneNumber === '15550001001');
  assert.deepEqual(account.connectedDevices, [link.deviceId]);
  assert.equal(account.devices[0].platform, 'Ubuntu');

  // Reconnect with stored creds: open again, no QR on the new socket.
  await client.end();
  const again = f.connect(auth);
  await again.waitForOpen();
  assert.equal(again.events['connection.update']!.some((u) => u.qr), false);
  assert.equal(again.sock.user?.id, link.jid);
  await again.end();
  f.sim.assertNoErrors();
});

test('a second companion of the same number gets its own device id and a stable LID', async () => {
  const first = await f.linkWithQr('15550001002');
  const second = await f.linkWithQr('15550001002');
  assert.notEqual(first.link.deviceId, second.link.deviceId);
  assert.equal(first.link.lid, second.link.lid);
  const account = f.sim.accounts().find((a) => a.phoneNumber === '15550001002')!;
  assert.equal(account.devices.length, 2);
  await first.client.end();
  await second.client.end();
  f.sim.assertNoErrors();
});

test('pairing code: wrong code is refused, right code links (then 515 → open)', async () => {
  const phone = '15550001003';
  const auth = memoryAuth();
  const first = f.connect(auth);
  await first.waitForQr(); // requestPairingCode needs the registration socket up
  const wrong = await first.sock.requestPairingCode(phone);
  const bad = wrong === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA';
  await assert.rejects(f.sim.pair(bad, phone), /pairing code does not match/);

  const code = await first.sock.requestPairingCode(phone);
  assert.match(code, /^[A-Z0-9]{8}$/);
  const link = await f.sim.pair(code, phone);
  assert.equal(link.phoneNumber, phone);
  assert.equal(await first.waitForClose(), 515);

  const client = f.connect(auth);
  await client.waitForOpen();
  assert.equal(client.sock.user?.id, link.jid);
  assert.equal(client.sock.user?.lid, link.lidJid);
  await client.end();
  f.sim.assertNoErrors();
});

test('login of a device the server does not know → close 401 (loggedOut)', async () => {
  const auth = memoryAuth();
  auth.creds = { ...initAuthCreds(), me: { id: '15550009999:7@s.whatsapp.net', name: 'x' }, registered: true };
  const client = f.connect(auth);
  assert.equal(await client.waitForClose(), 401);
  f.sim.assertNoErrors();
});

test('default history config: the phone’s initial history sync lets the first login go online at once', async () => {
  // Baileys' default shouldSyncHistoryMessage waits up to 20 s for a history sync after
  // the first login, buffering events; the simulated phone sends an empty one.
  const { shouldSyncHistoryMessage } = DEFAULT_CONNECTION_CONFIG;
  const zoe = f.sim.addContact('15550001004', 'Zoe');
  const auth = memoryAuth();
  const first = connectClient(f.sim.url, auth, { shouldSyncHistoryMessage });
  f.clients.push(first);
  const link = await f.sim.scan(await first.waitForQr());
  assert.equal(await first.waitForClose(), 515);
  const client = connectClient(f.sim.url, auth, { shouldSyncHistoryMessage });
  f.clients.push(client);
  await client.waitForOpen();
  const started = Date.now();
  await client.waitFor('messaging-history.set', () => true, 8000);
  // The history carried Zoe's PN↔LID mapping (Baileys stores it; the buffered
  // messaging-history.set event itself drops `lidPnMappings`).
  assert.equal(await client.sock.signalRepository.lidMapping.getLIDForPN(zoe.jid), zoe.lidJid);
  const { id } = await f.sim.contactSend(zoe.phoneNumber, link.phoneNumber, 'right after linking');
  await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 8000);
  assert.ok(Date.now() - started < 5000, 'not held back by the 20 s initial-sync wait');
  assert.equal(auth.creds.accountSyncCounter, 1);
  await client.end();
  f.sim.assertNoErrors();
});
