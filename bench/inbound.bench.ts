/**
 * Inbound throughput (npm run bench:inbound): how fast a gateway process takes messages that
 * contacts send, now that each is committed before it is acknowledged.
 * - Baileys: a linked session on the loopback simulator (in this process); contacts send a
 *   burst; timed until every delivery receipt came back and every row is stored.
 * - Sandbox: POST .../sandbox/inbound with 16 concurrent clients; each answer means stored.
 * Needs the local PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { simulatorEnv } from '../test/support/simulator-env';
import { waitFor } from '../test/support/wait';
import { WaSimulator } from '../test/wa-sim/wa-simulator';
import { startBenchGateway } from './support/gateway';
import { runBench } from './support/run';

const BAILEYS_MESSAGES = Number(process.env.BENCH_INBOUND_BAILEYS ?? 300);
const SANDBOX_MESSAGES = Number(process.env.BENCH_INBOUND_SANDBOX ?? 1000);

async function gateway(env: Record<string, string>, preload?: string) {
  const g = await startBenchGateway({ DATABASE_POOL_SIZE: '10', ...env }, { preload });
  const storedCount = async () => (await g.db.query(`SELECT count(*)::int AS n FROM message WHERE direction = 'inbound'`)).rows[0].n as number;
  /** Polls often: the time until a condition holds is the figure. */
  const until = (check: () => Promise<boolean> | boolean) => waitFor(check, { timeout: 120_000, interval: 10, what: 'the bench condition' });
  return { ...g, storedCount, until };
}

async function baileys(): Promise<string> {
  const sim = new WaSimulator({ logErrors: false });
  await sim.start();
  const g = await gateway({ ...simulatorEnv(sim.url), WA_SIMULATOR_ROOT_KEY: sim.rootPublicKey }, join(__dirname, '..', 'test', 'wa-sim', 'preload.js'));
  try {
    const phone = '15550900001';
    const { session } = await g.api('/api/sessions', 'POST', { name: phone });
    const { qr } = await g.api(`/api/sessions/${session.sessionId}/qr`);
    await sim.scan(qr, phone);
    await g.until(async () => (await g.api(`/api/sessions/${session.sessionId}`)).session.status === 'READY');
    const contacts = Array.from({ length: 5 }, (_, i) => sim.addContact(`155509100${i}0`, `Bench ${i}`));
    // Warm-up: one message per contact (Signal sessions are set up by the first one).
    for (const c of contacts) await sim.contactSend(c.phoneNumber, phone, 'warm-up');
    await g.until(async () => (await g.storedCount()) === contacts.length);
    const receipted = () => sim.messages({ direction: 'in' }).filter((m) => m.receipts.delivery).length;
    const t0 = performance.now();
    for (let i = 0; i < BAILEYS_MESSAGES; i++) await sim.contactSend(contacts[i % contacts.length].phoneNumber, phone, `bench ${i}`);
    const sentMs = performance.now() - t0;
    await g.until(() => receipted() === BAILEYS_MESSAGES + contacts.length);
    const receiptMs = performance.now() - t0;
    await g.until(async () => (await g.storedCount()) === BAILEYS_MESSAGES + contacts.length);
    const storedMs = performance.now() - t0;
    const rate = (ms: number) => Math.round((BAILEYS_MESSAGES / ms) * 1000);
    return (
      `| Baileys (simulator) | ${BAILEYS_MESSAGES} | ${Math.round(sentMs)} ms sent | ` +
      `${Math.round(receiptMs)} ms (${rate(receiptMs)}/s) all receipts | ${Math.round(storedMs)} ms (${rate(storedMs)}/s) all stored |`
    );
  } finally {
    await g.close();
    await sim.stop();
  }
}

async function sandbox(): Promise<string> {
  const g = await gateway({ WA_ENGINE: 'sandbox' });
  try {
    const { session } = await g.api('/api/sessions', 'POST', {});
    await g.api(`/api/sessions/${session.sessionId}/sandbox/link`, 'POST', { phoneNumber: '15550900002' });
    let next = 0;
    const worker = async () => {
      while (next < SANDBOX_MESSAGES) {
        const i = next++;
        await g.api(`/api/sessions/${session.sessionId}/sandbox/inbound`, 'POST', { from: `1555092${String(i % 100).padStart(4, '0')}`, text: `bench ${i}` });
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 16 }, worker));
    const answeredMs = performance.now() - t0;
    await g.until(async () => (await g.storedCount()) === SANDBOX_MESSAGES);
    const storedMs = performance.now() - t0;
    const rate = (ms: number) => Math.round((SANDBOX_MESSAGES / ms) * 1000);
    return (
      `| Sandbox (16 clients) | ${SANDBOX_MESSAGES} | | ` +
      `${Math.round(answeredMs)} ms (${rate(answeredMs)}/s) all answered | ${Math.round(storedMs)} ms (${rate(storedMs)}/s) all stored |`
    );
  } finally {
    await g.close();
  }
}

async function main(): Promise<void> {
  const rows = [await baileys(), await sandbox()];
  console.log('| Engine | Messages | Burst | Acknowledged | Stored |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

runBench(main);
