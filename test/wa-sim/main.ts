/**
 * Stand-alone simulator process (`npm run wa-sim -- --port 0`).
 *
 * Prints exactly one JSON line on stdout:
 *   {"url":"ws://127.0.0.1:P/ws/chat","rootPublicKey":"<hex>","controlUrl":"http://127.0.0.1:P",
 *    "mediaUrl":"https://127.0.0.1:M","mediaCaPem":"-----BEGIN CERTIFICATE-----\n…"}
 * then serves until SIGTERM/SIGINT. Logs and recorded errors go to stderr.
 *
 * Options: --port N (0 = random, default 0), --host 127.0.0.1|::1|localhost,
 *          --media-port N, --auto-contacts (every number exists on WhatsApp),
 *          --read-receipts (contacts also send read receipts automatically),
 *          --handshake-delay-ms N (the server answers each login N ms late, like a real network).
 */
import { WaSimulator } from './wa-simulator';

function parseArgs(argv: string[]): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [key, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) out[key] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) out[key] = argv[++i];
    else out[key] = true;
  }
  return out;
}

function port(value: string | boolean | undefined, name: string): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number`);
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const host = typeof args.host === 'string' ? args.host : '127.0.0.1';
  const sim = new WaSimulator({
    host,
    autoCreateContacts: !!args['auto-contacts'],
    autoReceipts: { delivery: true, read: !!args['read-receipts'] },
    handshakeDelayMs: typeof args['handshake-delay-ms'] === 'string' ? Number(args['handshake-delay-ms']) : 0,
  });
  const info = await sim.start({ port: port(args.port, 'port'), mediaPort: port(args['media-port'], 'media-port') });
  process.stdout.write(`${JSON.stringify(info)}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[wa-sim] ${signal}: stopping\n`);
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // A test server should report, not die: the error stays visible on stderr.
  process.on('unhandledRejection', (err) => process.stderr.write(`[wa-sim] unhandled rejection: ${String((err as Error)?.stack ?? err)}\n`));
  process.on('uncaughtException', (err) => process.stderr.write(`[wa-sim] uncaught exception: ${err.stack ?? err}\n`));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`[wa-sim] failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
