import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from '../support/node-test';
import { CrashRig } from '../support/crash-rig';
import { eventually } from '../support/http';

const TOTAL = 120;

/**
 * kill -9 of a real server process in the middle of dispatching: after a restart every
 * accepted message is sent, under the WhatsApp id chosen at enqueue, and none is lost.
 * Needs a PostgreSQL server (DATABASE_URL): a killed process cannot be expected to leave an
 * embedded database consistent.
 */
describe('Crash safety of the queue (kill -9 mid-dispatch)', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let rig: CrashRig | undefined;
  after(async () => rig?.close());

  it('loses nothing and reuses the WhatsApp ids after a restart', async () => {
    rig = await CrashRig.create('sb-crash-');
    const sendLog = join(rig.dataDir, 'sends.jsonl');
    const env = rig.env({ SANDBOX_SEND_LOG: sendLog, SANDBOX_RECEIPT_DELAY_MS: '0' });
    await rig.start(env);
    // Paced so the kill lands while the queue is still draining.
    const sessionId = await rig.sandboxSession('15550400001', { minDelayMs: 15, maxDelayMs: 25 });
    const accepted: { id: string; waMessageId: string }[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const res = await rig.post('/api/messages/send', { sessionId, to: `1555041${String(i + 1).padStart(4, '0')}`, type: 'text', text: `n${i}` });
      assert.equal(res.status, 202);
      accepted.push(res.body.message);
    }
    await eventually(async () => existsSync(sendLog) && readFileSync(sendLog, 'utf8').split('\n').length > 20, 10_000);
    await rig.server!.kill9();
    const sentBeforeCrash = readFileSync(sendLog, 'utf8').trim().split('\n').length;
    assert.ok(sentBeforeCrash < TOTAL, `the crash came too late (${sentBeforeCrash} already sent)`);

    const server = await rig.start(env);
    await eventually(async () => {
      const [{ n }] = await rig!.query(`SELECT count(*)::int AS n FROM message WHERE status IN ('SENT', 'DELIVERED', 'READ')`);
      return n === TOTAL;
    }, 30_000).catch(async (err) => {
      const rows = await rig!.query(`SELECT status, count(*)::int AS n, max(attempts) AS a FROM message GROUP BY status`);
      const s = await rig!.query(`SELECT status, active, last_error FROM session`);
      throw new Error(`${err.message}: ${JSON.stringify(rows)} ${JSON.stringify(s)}\n${server.output().slice(-3000)}`);
    });
    const rows = await rig.query(`SELECT id, wa_message_id FROM message`);
    assert.equal(rows.length, TOTAL);
    const byId = new Map(rows.map((r) => [r.id, r.wa_message_id]));
    for (const m of accepted) assert.equal(byId.get(m.id), m.waMessageId, 'the WhatsApp id never changes');
    const sends = readFileSync(sendLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    const sentIds = new Set(sends.map((s) => s.id));
    assert.deepEqual([...sentIds].sort(), accepted.map((m) => m.waMessageId).sort(), 'every accepted message reached the engine under its own id');
    // At most the one message in flight at the kill is sent again, and under the same id.
    assert.ok(sends.length - sentIds.size <= 1, `${sends.length - sentIds.size} duplicate sends`);
  });
});
