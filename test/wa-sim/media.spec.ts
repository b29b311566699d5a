/**
 * Media through the loopback HTTPS media host: image and voice note sent by Baileys
 * (uploaded, then downloaded and decrypted by the contact), and media sent by a contact
 * (downloaded by Baileys' downloadMediaMessage through the trusted global dispatcher).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from '../support/node-test';
import { downloadMediaMessage, type AnyMessageContent } from '@whiskeysockets/baileys';
import sharp from 'sharp';
import type { TestClient } from './baileys-client';
import { startSimulator, type SimFixture } from './fixtures';
import { makeSilentOggOpus } from './ogg-opus';
import type { LinkResult } from './wa-simulator';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let f: SimFixture;
let client: TestClient;
let link: LinkResult;
let jpeg: Buffer;
before(async () => {
  f = await startSimulator();
  ({ client, link } = await f.linkWithQr());
  jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 60 } } })
    .jpeg()
    .toBuffer();
});
after(async () => {
  await f.close();
});

test('image sent through Baileys reaches the contact with caption, mimetype and matching sha256', async () => {
  const hana = f.sim.addContact('15558880001', 'Hana');
  const sent = await client.sock.sendMessage(hana.jid, { image: jpeg, caption: 'a red square', mimetype: 'image/jpeg' });
  const got = await f.sim.waitForMessage((m) => m.id === sent!.key.id, 8000);
  assert.equal(got.type, 'image');
  assert.equal(got.stanzaType, 'media');
  assert.equal(got.caption, 'a red square');
  assert.equal(got.mimetype, 'image/jpeg');
  assert.deepEqual(got.media, { sha256: sha256(jpeg), size: jpeg.length, verified: true });
  assert.equal(got.fileSha256, sha256(jpeg));
  assert.equal(got.fileLength, jpeg.length);
  assert.deepEqual(f.sim.mediaBytes(got.id), jpeg);
  assert.ok(f.sim.media.uploads >= 1);
  f.sim.assertNoErrors();
});

test('voice note (ptt, seconds, waveform) reaches the contact intact', async () => {
  const ivan = f.sim.addContact('15558880002', 'Ivan');
  const ogg = makeSilentOggOpus(2);
  const waveform = new Uint8Array(64).map((_, i) => i % 100);
  const content = { audio: ogg, ptt: true, mimetype: 'audio/ogg; codecs=opus', seconds: 2, waveform } as AnyMessageContent;
  const sent = await client.sock.sendMessage(ivan.jid, content);
  const got = await f.sim.waitForMessage((m) => m.id === sent!.key.id, 8000);
  assert.equal(got.type, 'audio');
  assert.equal(got.mimetype, 'audio/ogg; codecs=opus');
  assert.equal(got.ptt, true);
  assert.equal(got.seconds, 2);
  assert.equal(got.waveform, 64);
  assert.deepEqual(got.media, { sha256: sha256(ogg), size: ogg.length, verified: true });

  // Without `seconds`, Baileys measures the generated Ogg itself (music-metadata).
  const measured = await client.sock.sendMessage(ivan.jid, { audio: makeSilentOggOpus(3), ptt: true, mimetype: 'audio/ogg; codecs=opus' });
  const got2 = await f.sim.waitForMessage((m) => m.id === measured!.key.id, 8000);
  assert.equal(got2.seconds, 3);
  assert.equal(got2.media?.verified, true);
  f.sim.assertNoErrors();
});

test('document keeps its file name and bytes', async () => {
  const kim = f.sim.addContact('15558880004', 'Kim');
  const pdf = Buffer.from('%PDF-1.4\n% wa-sim test document\n%%EOF\n');
  const sent = await client.sock.sendMessage(kim.jid, { document: pdf, mimetype: 'application/pdf', fileName: 'report.pdf' });
  const got = await f.sim.waitForMessage((m) => m.id === sent!.key.id, 8000);
  assert.deepEqual([got.type, got.fileName, got.mimetype], ['document', 'report.pdf', 'application/pdf']);
  assert.deepEqual(f.sim.mediaBytes(got.id), pdf);
  f.sim.assertNoErrors();
});

test('contact sends an image and a voice note; Baileys downloads and decrypts them', async () => {
  const jun = f.sim.addContact('15558880003', 'Jun');
  const { id } = await f.sim.contactSend(jun.phoneNumber, link.phoneNumber, { image: jpeg, caption: 'from jun' });
  const up = await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 8000);
  const msg = up.messages.find((m) => m.key.id === id)!;
  assert.equal(msg.message?.imageMessage?.caption, 'from jun');
  const bytes = await downloadMediaMessage(msg, 'buffer', {});
  assert.equal(sha256(bytes), sha256(jpeg));

  const ogg = makeSilentOggOpus(1);
  const voice = await f.sim.contactSend(jun.phoneNumber, link.phoneNumber, { audio: ogg, ptt: true, seconds: 1 });
  const up2 = await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === voice.id), 8000);
  const vmsg = up2.messages.find((m) => m.key.id === voice.id)!;
  assert.equal(vmsg.message?.audioMessage?.ptt, true);
  assert.equal(vmsg.message?.audioMessage?.mimetype, 'audio/ogg; codecs=opus');
  assert.deepEqual(await downloadMediaMessage(vmsg, 'buffer', {}), ogg);
  assert.ok(f.sim.media.downloads >= 2);
  f.sim.assertNoErrors();
});
