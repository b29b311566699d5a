/**
 * Phone-side and network events: drop, unlink, replace, refused logins.
 */
import assert from 'node:assert/strict';
import { after, before, test } from '../support/node-test';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { startSimulator, type SimFixture } from './fixtures';

let f: SimFixture;
before(async () => {
  f = await startSimulator();
});
after(async () => {
  await f.close();
});

test('drop: abrupt TCP close → transient close code, reconnect opens', async () => {
  const { client, link, auth } = await f.linkWithQr();
  assert.deepEqual(f.sim.drop(link.phoneNumber), { dropped: 1 });
  const code = await client.waitForClose();
  assert.notEqual(code, DisconnectReason.loggedOut);
  assert.equal(code, DisconnectReason.connectionClosed); // 428 "Connection Terminated"
  const again = f.connect(auth);
  await again.waitForOpen();
  await again.end();
  f.sim.assertNoErrors();
});

test('unlink from the phone → close 401 loggedOut; the creds are dead afterwards', async () => {
  const { client, link, auth } = await f.linkWithQr();
  assert.deepEqual(f.sim.unlink(link.phoneNumber), { unlinked: [link.deviceId] });
  assert.equal(await client.waitForClose(), DisconnectReason.loggedOut);
  const again = f.connect(auth);
  assert.equal(await again.waitForClose(), DisconnectReason.loggedOut);
  assert.equal(f.sim.accounts().find((a) => a.phoneNumber === link.phoneNumber)!.devices.length, 0);
  f.sim.assertNoErrors();
});

test('sock.logout() removes the companion: later logins with those creds get 401', async () => {
  const { client, link, auth } = await f.linkWithQr();
  await client.sock.logout();
  assert.equal(await client.waitForClose(), DisconnectReason.loggedOut);
  const again = f.connect(auth);
  assert.equal(await again.waitForClose(), DisconnectReason.loggedOut);
  assert.equal(f.sim.accounts().find((a) => a.phoneNumber === link.phoneNumber)!.devices.length, 0);
  f.sim.assertNoErrors();
});

test('replace → close 440 connectionReplaced', async () => {
  const { client, link } = await f.linkWithQr();
  assert.deepEqual(f.sim.replace(link.phoneNumber), { replaced: 1 });
  assert.equal(await client.waitForClose(), DisconnectReason.connectionReplaced);
  f.sim.assertNoErrors();
});

test('a second socket logging in with the same creds replaces the first (440)', async () => {
  const { client, auth } = await f.linkWithQr();
  const second = f.connect(auth);
  await second.waitForOpen();
  assert.equal(await client.waitForClose(), DisconnectReason.connectionReplaced);
  await second.end();
  f.sim.assertNoErrors();
});

test('refuse-logins: failure 403 (forbidden) until allowed again', async () => {
  const { client, link, auth } = await f.linkWithQr();
  await client.end();
  f.sim.refuseLogins(link.phoneNumber, true);
  const refused = f.connect(auth);
  assert.equal(await refused.waitForClose(), DisconnectReason.forbidden);
  f.sim.refuseLogins(link.phoneNumber, true, 503);
  const unavailable = f.connect(auth);
  assert.equal(await unavailable.waitForClose(), DisconnectReason.unavailableService);
  f.sim.refuseLogins(link.phoneNumber, false);
  const ok = f.connect(auth);
  await ok.waitForOpen();
  await ok.end();
  f.sim.assertNoErrors();
});
