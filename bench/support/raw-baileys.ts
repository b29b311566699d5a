/**
 * The ceiling for the sessions benchmark: bare Baileys sockets, no gateway, in a process of
 * their own (started with the simulator's trust preload), doing what the gateway's run does:
 * link SESSIONS accounts by QR, then each sends MESSAGES texts, one after another, to one
 * contact of its own while the sessions run in parallel. Timed from the first send until every
 * `sendMessage` resolved (the moment the gateway marks a message SENT). Prints `RESULT <json>`
 * (libsignal writes its own lines to stdout too).
 *
 *   node -r build/test/wa-sim/preload.js build/bench/support/raw-baileys.js
 *   env: SIM_URL, SIM_CONTROL_URL, SESSIONS, MESSAGES, PHONE_PREFIX, CONTACT_PREFIX
 */
import { performance } from 'node:perf_hooks';
import { connectClient, memoryAuth, type TestClient } from '../../test/wa-sim/baileys-client';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

async function link(url: string, control: string, phone: string): Promise<TestClient> {
  const auth = memoryAuth();
  const first = connectClient(url, auth);
  const qr = await first.waitForQr(30_000);
  const res = await fetch(`${control}/scan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr, phoneNumber: phone }) });
  if (!res.ok) throw new Error(`scan ${phone}: ${res.status} ${await res.text()}`);
  await first.waitForClose(30_000); // 515: restart required after pairing
  const client = connectClient(url, auth);
  await client.waitForOpen(30_000);
  return client;
}

async function main(): Promise<void> {
  const url = env('SIM_URL');
  const control = env('SIM_CONTROL_URL');
  const sessions = Number(env('SESSIONS'));
  const messages = Number(env('MESSAGES'));
  const phonePrefix = env('PHONE_PREFIX');
  const contactPrefix = env('CONTACT_PREFIX');
  const clients: TestClient[] = [];
  try {
    for (let i = 0; i < sessions; i++) clients.push(await link(url, control, `${phonePrefix}${String(i).padStart(4, '0')}`));
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (client, i) => {
        const to = `${contactPrefix}${String(i).padStart(4, '0')}@s.whatsapp.net`;
        for (let m = 0; m < messages; m++) await client.sock.sendMessage(to, { text: `bench ${m}` });
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(`RESULT ${JSON.stringify({ sessions, messages: sessions * messages, seconds, messagesPerSecond: (sessions * messages) / seconds })}\n`);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
