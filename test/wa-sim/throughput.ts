/**
 * In-process throughput check (not a spec):
 *   npx tsc -p test/wa-sim/tsconfig.json && node build/test/wa-sim/throughput.js --sessions 5 --messages 20
 * Links N Baileys sessions, then each sends M texts to its own contact (sequentially per
 * session, sessions in parallel) and receives M texts from it. Prints one JSON line.
 * Simulator and Baileys share one process and CPU, so figures are a floor.
 */
import { performance } from 'node:perf_hooks';
import { startSimulator } from './fixtures';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const sessions = arg('sessions', 5);
  const messages = arg('messages', 20);
  const f = await startSimulator({ autoReceipts: { delivery: true } });
  const t0 = performance.now();
  const linked: Array<Awaited<ReturnType<typeof f.linkWithQr>>> = [];
  for (let i = 0; i < sessions; i++) linked.push(await f.linkWithQr());
  const linkMs = performance.now() - t0;
  const contacts = linked.map((_, i) => f.sim.addContact(undefined, `Load ${i}`));

  const t1 = performance.now();
  await Promise.all(
    linked.map(async ({ client }, i) => {
      for (let m = 0; m < messages; m++) await client.sock.sendMessage(contacts[i].jid, { text: `out ${m}` });
    }),
  );
  const total = sessions * messages;
  while (f.sim.countMessages({ direction: 'out' }) < total) await new Promise((r) => setTimeout(r, 5));
  const outMs = performance.now() - t1;

  const t2 = performance.now();
  const ids = new Set<string>();
  await Promise.all(
    linked.map(async ({ link }, i) => {
      for (let m = 0; m < messages; m++) ids.add((await f.sim.contactSend(contacts[i].phoneNumber, link.phoneNumber, `in ${m}`)).id);
    }),
  );
  const seen = () => linked.reduce((n, { client }) => n + client.events['messages.upsert']!.flatMap((u) => u.messages).filter((m) => ids.has(m.key.id!)).length, 0);
  while (seen() < total) await new Promise((r) => setTimeout(r, 5));
  const inMs = performance.now() - t2;

  const errors = f.sim.errorList().length;
  await f.close();
  process.stdout.write(
    `${JSON.stringify({
      sessions,
      messagesPerSession: messages,
      linkMsPerSession: Math.round(linkMs / sessions),
      outboundPerSecond: Math.round((total / outMs) * 1000),
      inboundPerSecond: Math.round((total / inMs) * 1000),
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
      errors,
    })}\n`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
