/**
 * Sessions benchmark (issue: loopback WhatsApp simulator). For each N in BENCH_SESSIONS
 * (default 10,50,200): N sessions linked through real Baileys in one gateway process, against
 * the simulator running in another process. Reports RSS per session, the time to restore
 * all sessions after a gateway restart, and messages per second through real Baileys
 * encryption (contacts decrypt every message). In the same run, bare Baileys sockets in a
 * process of their own (bench/support/raw-baileys.ts) send the same messages against the same
 * simulator: the machine's ceiling, and the gateway's rate as a share of it. Uses the local
 * PostgreSQL (DATABASE_URL).
 *
 * The two rates measure the same thing. The raw run: N sockets in parallel, each sending its M
 * messages one after another, timed from the first `sendMessage` to the last one resolved. The
 * gateway: N concurrent clients, one per session, each POSTing its session's M messages one
 * after another (a POST returns once the message is durably queued), timed by the gateway's
 * own rows from the first accepted message (`created_at`) to the last one marked SENT
 * (`sent_at`). So the gateway's time includes queueing, claiming, the opt-in check, the
 * engine's send, storing the sent proto for retry receipts and marking SENT with its event,
 * but not the HTTP client's overhead before the first message was accepted. The bare run has
 * no accepting step (its messages are handed to `sendMessage` in-process), so the run also
 * times the gateway's send engine alone (`dispatchOnly`: the same messages, to new contacts,
 * queued before they are due). The machine is shared: compare the ratios of one run, not
 * absolute figures across runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { startServerProcess, type ServerProcess } from '../test/support/server-process';
import { createTestDatabase } from '../test/support/test-database';
import { waitFor } from '../test/support/wait';
import { runBench } from './support/run';
import { BENCH_API_KEY } from './support/gateway';
import { callJson, simulatorGatewayEnv, startSimulatorProcess, type SimInfo } from './support/simulator';

const LEVELS = (process.env.BENCH_SESSIONS ?? '10,50,200').split(',').map(Number);
const MESSAGES_PER_SESSION = Number(process.env.BENCH_MESSAGES_PER_SESSION ?? 10);
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;




/** Messages per second of bare Baileys sockets doing the gateway's run (see raw-baileys.ts). */
async function rawCeiling(n: number, sim: SimInfo): Promise<number> {
  const child = spawn(process.execPath, ['-r', join(__dirname, '..', 'test', 'wa-sim', 'preload.js'), join(__dirname, 'support', 'raw-baileys.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      WA_SIMULATOR_ROOT_KEY: sim.rootPublicKey,
      SIM_URL: sim.url,
      SIM_CONTROL_URL: sim.controlUrl,
      SESSIONS: String(n),
      MESSAGES: String(MESSAGES_PER_SESSION),
      // Other numbers than the gateway's run, so both start from fresh Signal sessions.
      PHONE_PREFIX: `1777${String(n).padStart(3, '0')}`,
      CONTACT_PREFIX: `1888${String(n).padStart(3, '0')}`,
    },
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('RESULT ') && resolve(l.slice('RESULT '.length)));
    child.once('exit', (code) => reject(new Error(`raw Baileys run exited ${code}`)));
  });
  return round(JSON.parse(line).messagesPerSecond as number);
}

async function runLevel(n: number, sim: SimInfo): Promise<Record<string, number>> {
  const database = await createTestDatabase('postgres');
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-sessions-'));
  const env = simulatorGatewayEnv(sim, database.url, dataDir);
  const preload = join(__dirname, '..', 'test', 'wa-sim', 'preload.js');
  let gateway: ServerProcess = await startServerProcess(env, { preload, timeoutMs: 60_000 });
  // BENCH_PROFILE_DIR: the restarted gateway (restore and send phase) writes a V8 CPU profile there on exit.
  // BENCH_GATEWAY_NODE_ARGS: more node options for the restarted gateway (e.g. `-r <probe>`).
  const nodeArgs = [...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), ...(process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const ready = async () => (await db.query(`SELECT count(*)::int AS n FROM session WHERE status = 'READY'`)).rows[0].n as number;
  try {
    const rss = async () => (await callJson(`${gateway.url}/api/health/resources`)).resources.memory.rss as number;
    const baseRss = await rss();
    const linkStart = Date.now();
    const phones: string[] = [];
    for (let i = 0; i < n; i++) {
      const phone = `1555${String(n).padStart(3, '0')}${String(i).padStart(4, '0')}`;
      phones.push(phone);
      const { session } = await callJson(`${gateway.url}/api/sessions`, 'POST', { name: phone });
      const { qr } = await callJson(`${gateway.url}/api/sessions/${session.sessionId}/qr`);
      await callJson(`${sim.controlUrl}/scan`, 'POST', { qr, phoneNumber: phone }, false);
    }
    await waitFor(async () => (await ready()) === n, { timeout: 120_000 + n * 1000, interval: 100, what: `${n} sessions READY` });
    const linkSeconds = (Date.now() - linkStart) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const rssPerSession = ((await rss()) - baseRss) / n;

    await gateway.stop();
    const restoreStart = Date.now();
    gateway = await startServerProcess(env, { preload, nodeArgs, timeoutMs: 60_000 });
    await waitFor(async () => (await ready()) === n, { timeout: 120_000 + n * 1000, interval: 100, what: `${n} sessions restored` });
    const restoreSeconds = (Date.now() - restoreStart) / 1000;

    const total = n * MESSAGES_PER_SESSION;
    await Promise.all(
      phones.map(async (phone, i) => {
        for (let m = 0; m < MESSAGES_PER_SESSION; m++) {
          await callJson(`${gateway.url}/api/messages/send`, 'POST', {
            sessionId: phone,
            // One contact per session: the first message sets up the Signal session (usync,
            // key fetch), the rest measure steady-state encryption and sending.
            to: `1666${String(n).padStart(3, '0')}${String(i).padStart(4, '0')}`,
            type: 'text',
            text: `bench ${m}`,
          });
        }
      }),
    );
    const done = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM message WHERE sent_at IS NOT NULL OR status IN ('FAILED', 'EXPIRED')`)).rows[0].n === total;
    await waitFor(done, { timeout: 120_000 + total * 200, interval: 100, what: `${total} messages sent or failed` });
    // The send phase by the gateway's own clock: from the first accepted message (its row's
    // creation) to the last one marked SENT, the counterpart of the raw run's first send to its
    // last resolved sendMessage.
    const span = (
      await db.query(
        `SELECT count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
                extract(epoch FROM max(sent_at) - min(created_at))::float8 AS seconds
           FROM message WHERE direction = 'outbound'`,
      )
    ).rows[0] as { failed: number; seconds: number };
    const phases = (
      await db.query(
        `SELECT extract(epoch FROM max(created_at) - min(created_at))::float8 AS posted,
                extract(epoch FROM min(sent_at) - min(created_at))::float8 AS first_sent
           FROM message WHERE direction = 'outbound'`,
      )
    ).rows[0] as { posted: number; first_sent: number };
    process.stderr.write(`[bench] ${n} sessions: all accepted after ${round(phases.posted)} s, first SENT after ${round(phases.first_sent)} s, last SENT after ${round(span.seconds)} s\n`);
    const failed = span.failed;
    const sendSeconds = span.seconds;
    const dispatch = await dispatchOnly(db, n);
    return {
      sessions: n,
      linkSeconds: round(linkSeconds),
      rssPerSessionMb: round(rssPerSession / 1024 / 1024),
      totalRssMb: round((await rss()) / 1024 / 1024),
      restoreSeconds: round(restoreSeconds),
      messages: total,
      failed,
      messagesPerSecond: round((total - failed) / sendSeconds),
      dispatchMessagesPerSecond: dispatch,
      rawMessagesPerSecond: await rawCeiling(n, sim),
    };
  } finally {
    await db.end();
    await gateway.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The gateway's send engine alone, the like-for-like counterpart of the bare run (whose messages
 * are handed to the sockets in-process, with no accepting step): the same N × M messages, to
 * contacts of their own (so first messages again), are written into the queue with one due time
 * a few seconds ahead, as copies of the rows the API accepted in the end-to-end phase. Timed by
 * the rows from that due time to the last one marked SENT: claiming, the opt-in check, the
 * engine's send with its key writes, marking SENT and recording the receipts that come back, all
 * while nothing is being accepted.
 */
async function dispatchOnly(db: Client, n: number): Promise<number> {
  const total = n * MESSAGES_PER_SESSION;
  const { rows } = await db.query(
    `INSERT INTO message (session_id, direction, wa_message_id, chat_jid, recipient_input, type, content, status, status_history, next_attempt_at, expires_at)
     SELECT session_id, direction, '3EB0' || upper(substr(md5(random()::text || id::text), 1, 18)),
            regexp_replace(chat_jid, '^1666', '1667'), regexp_replace(recipient_input, '^1666', '1667'),
            type, content, 'QUEUED', jsonb_build_array(status_history -> 0), now() + interval '2 seconds', expires_at
       FROM message WHERE direction = 'outbound' AND chat_jid LIKE '1666%'
     RETURNING next_attempt_at`,
  );
  if (rows.length !== total) throw new Error(`queued ${rows.length} of ${total} messages for the dispatch-only phase`);
  const done = async () =>
    (await db.query(`SELECT count(*)::int AS n FROM message WHERE chat_jid LIKE '1667%' AND (sent_at IS NOT NULL OR status IN ('FAILED', 'EXPIRED'))`)).rows[0].n === total;
  await waitFor(done, { timeout: 120_000 + total * 200, interval: 100, what: `${total} queued messages sent or failed` });
  const span = (
    await db.query(
      `SELECT count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
              extract(epoch FROM max(sent_at) - min(next_attempt_at))::float8 AS seconds
         FROM message WHERE chat_jid LIKE '1667%'`,
    )
  ).rows[0] as { failed: number; seconds: number };
  process.stderr.write(`[bench] ${n} sessions, dispatch only: last SENT ${round(span.seconds)} s after the messages were due, ${span.failed} failed\n`);
  return round((total - span.failed) / span.seconds);
}

const round = (v: number) => Math.round(v * 10) / 10;

async function main(): Promise<void> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  const { info, child } = await startSimulatorProcess();
  process.stdout.write(
    [
      `## Sessions benchmark (${new Date().toISOString()})`,
      '',
      `Gateway and simulator in separate processes; ${MESSAGES_PER_SESSION} messages per session to one contact each.`,
      '',
      '| sessions | link all (s) | RSS per session (MB) | gateway RSS (MB) | restore all after restart (s) | messages (failed) | gateway messages/s (end to end) | gateway messages/s (dispatch only) | bare Baileys messages/s | end to end / bare | dispatch only / bare |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      '',
    ].join('\n'),
  );
  try {
    for (const n of LEVELS) {
      const r = await runLevel(n, info);
      const share = (rate: number) => `${Math.round((rate / r.rawMessagesPerSecond) * 100)} %`;
      process.stdout.write(
        `| ${r.sessions} | ${r.linkSeconds} | ${r.rssPerSessionMb} | ${r.totalRssMb} | ${r.restoreSeconds} | ${r.messages} (${r.failed}) | ${r.messagesPerSecond} | ${r.dispatchMessagesPerSecond} | ${r.rawMessagesPerSecond} | ${share(r.messagesPerSecond)} | ${share(r.dispatchMessagesPerSecond)} |\n`,
      );
    }
  } finally {
    child.kill('SIGTERM');
  }
}

runBench(main);
