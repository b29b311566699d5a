/**
 * The stand-alone simulator process and its HTTP control API, driven from this process
 * the way an e2e test of a separately started gateway would.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from '../support/node-test';
import { connectClient, memoryAuth, type TestClient } from './baileys-client';
import { statusOf, waitUntil } from './fixtures';
import { trustSimulator, type AppliedTrust } from './trust';
import type { SimulatorEndpoints } from './wa-simulator';

let child: ChildProcess;
let info: SimulatorEndpoints;
let trust: AppliedTrust;
const clients: TestClient[] = [];

async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${info.controlUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

before(async () => {
  child = spawn(process.execPath, [join(__dirname, 'main.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no JSON line from main.js within 10 s; stderr: ${stderr}`)), 10_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code) => reject(new Error(`main.js exited with ${code}: ${stderr}`)));
  });
  info = JSON.parse(line);
  trust = trustSimulator({ rootPublicKey: info.rootPublicKey, mediaCaPem: info.mediaCaPem });
});

after(async () => {
  await Promise.all(clients.map((c) => c.end()));
  trust?.restore();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

test('main.js prints one JSON line with the endpoints and serves GET /accounts', async () => {
  assert.match(info.url, /^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/);
  assert.match(info.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(info.mediaUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(info.rootPublicKey, /^[0-9a-f]{64}$/);
  assert.match(info.mediaCaPem, /BEGIN CERTIFICATE/);
  const res = await api('GET', '/accounts');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, []);
});

test('control API: scan, contacts, send both ways, receipts, errors', async () => {
  const auth = memoryAuth();
  const first = connectClient(info.url, auth);
  clients.push(first);
  const qr = await first.waitForQr();
  const scan = await api<{ phoneNumber: string; lid: string }>('POST', '/scan', { qr, phoneNumber: '+1 555 000 2001' });
  assert.equal(scan.status, 200);
  assert.equal(scan.body.phoneNumber, '15550002001');
  assert.equal(await first.waitForClose(), 515);
  const client = connectClient(info.url, auth);
  clients.push(client);
  await client.waitForOpen();

  const accounts = await api<Array<{ phoneNumber: string; connectedDevices: number[] }>>('GET', '/accounts');
  assert.deepEqual(accounts.body.map((a) => [a.phoneNumber, a.connectedDevices.length]), [['15550002001', 1]]);

  const contact = await api<{ phoneNumber: string; jid: string }>('POST', '/contacts', { phoneNumber: '15550002002', name: 'Grace' });
  assert.equal(contact.status, 201);
  await api('POST', '/auto-receipts', { delivery: false });

  const sent = await client.sock.sendMessage(contact.body.jid, { text: 'over http' });
  // Poll the control API until the contact has decrypted it.
  let listed: Array<{ id: string; text?: string }> = [];
  const deadline = Date.now() + 8000;
  while (!listed.some((m) => m.id === sent!.key.id)) {
    assert.ok(Date.now() < deadline, 'message not listed within 8 s');
    await new Promise((r) => setTimeout(r, 20));
    listed = (await api<typeof listed>('GET', '/messages?to=15550002002')).body;
  }
  assert.equal(listed.find((m) => m.id === sent!.key.id)!.text, 'over http');

  assert.equal((await api('POST', '/receipts', { id: sent!.key.id, type: 'read' })).status, 200);
  // Sent right after the decrypt, so it may be folded into the (still buffered) upsert.
  await waitUntil(() => statusOf(client, sent!.key.id!) === 4, 8000, 'READ status');

  const inbound = await api<{ id: string }>('POST', '/contacts/15550002002/send', { to: '15550002001', text: 'from grace' });
  assert.equal(inbound.status, 200);
  const up = await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === inbound.body.id), 8000);
  assert.equal(up.messages[0].message?.conversation, 'from grace');

  // A retry receipt from the contact: Baileys re-sends the same id (from its recent-message cache here).
  assert.deepEqual((await api('POST', '/retry-receipts', { id: sent!.key.id })).body, { ok: true });
  const copies = async () => (await api<typeof listed>('GET', '/messages?to=15550002002')).body.filter((m) => m.id === sent!.key.id);
  const resendDeadline = Date.now() + 8000;
  while ((await copies()).length < 2) {
    assert.ok(Date.now() < resendDeadline, 'no re-sent copy within 8 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual((await copies()).map((m) => m.text), ['over http', 'over http']);

  // Bad requests are 4xx JSON, never a crash.
  assert.equal((await api('POST', '/scan', 'not json')).status, 400);
  assert.equal((await api('POST', '/contacts/15550002002/send', { to: '19999999999', text: 'x' })).status, 404);
  assert.equal((await api('POST', '/receipts', { id: 'nope', type: 'read' })).status, 404);
  assert.equal((await api('POST', '/accounts/15550002001/refuse-logins', { refuse: 'yes' })).status, 400);
  assert.equal((await api('POST', '/retry-receipts', { id: 'nope' })).status, 404);
  assert.equal((await api('POST', '/retry-receipts', { id: sent!.key.id, count: 0 })).status, 400);
  assert.equal((await api('GET', '/no/such/route')).status, 404);

  assert.deepEqual((await api('POST', '/accounts/15550002001/drop')).body, { dropped: 1 });
  assert.equal(await client.waitForClose(), 428);
  assert.deepEqual((await api('GET', '/errors')).body, []);
});

test('preload.js applies WA_SIMULATOR_ROOT_KEY / WA_SIMULATOR_MEDIA_CA in another process', () => {
  const script = [
    "const { WA_CERT_DETAILS } = require('@whiskeysockets/baileys');",
    "const https = require('node:https');",
    'process.stdout.write(JSON.stringify({ key: WA_CERT_DETAILS.PUBLIC_KEY.toString("hex"), ca: https.globalAgent.options.ca.length }));',
  ].join('\n');
  const res = spawnSync(process.execPath, ['-r', join(__dirname, 'preload.js'), '-e', script], {
    env: { ...process.env, WA_SIMULATOR_ROOT_KEY: info.rootPublicKey, WA_SIMULATOR_MEDIA_CA: info.mediaCaPem },
    cwd: join(__dirname, '..', '..', '..'),
    encoding: 'utf8',
    timeout: 15_000,
  });
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.key, info.rootPublicKey);
  assert.ok(out.ca > 1);
});
