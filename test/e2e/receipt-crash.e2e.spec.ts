import assert from 'node:assert/strict';
import { after, describe, it } from '../support/node-test';
import { CrashRig } from '../support/crash-rig';
import { eventually } from '../support/http';
import { SIMULATOR_PRELOAD } from '../support/server-process';
import { simulatorProcessEnv } from '../support/simulator-env';
import { WaSimulator } from '../wa-sim/wa-simulator';

const RANK: Record<string, number> = { QUEUED: 0, SENDING: 0, SENT: 1, DELIVERED: 2, READ: 3, PLAYED: 4, FAILED: -1 };
const STATUS_OF = { delivery: 'DELIVERED', read: 'READ' } as const;

/**
 * kill -9 of a real gateway (real Baileys, the simulator as WhatsApp) while contacts' delivery
 * and read receipts stream in: every receipt the gateway acknowledged to the server is
 * reflected in the stored status and has its `message.status` outbox event after the
 * restart. The simulator, as WhatsApp, delivers unacknowledged receipts again after the next
 * login, and never acknowledged ones. Needs PostgreSQL (DATABASE_URL).
 */
describe('Status receipts survive kill -9 once acknowledged', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('real Baileys: every delivery/read receipt acknowledged before kill -9 is stored with its event after the restart', async (t) => {
    const rig = await CrashRig.create('sb-receipt-crash-');
    cleanups.push(() => rig.close());
    const sim = new WaSimulator({ logErrors: false, autoReceipts: { delivery: false, read: false } });
    await sim.start();
    cleanups.push(() => sim.stop());
    const env = rig.env(simulatorProcessEnv(sim));
    await rig.start(env, { preload: SIMULATOR_PRELOAD });
    const PHONE = '15550700001';
    const sessionId = await rig.simulatorSession(sim, PHONE);
    await rig.patch(`/api/sessions/${sessionId}/settings`, { minDelayMs: 0, maxDelayMs: 0 });

    const contacts = Array.from({ length: 4 }, (_, i) => sim.addContact(`155507100${i + 1}0`, `Contact ${i + 1}`));
    const TOTAL = 60;
    for (let i = 0; i < TOTAL; i++) {
      const res = await rig.post('/api/messages/send', { sessionId, to: contacts[i % contacts.length].phoneNumber, type: 'text', text: `n${i}` });
      assert.equal(res.status, 202, JSON.stringify(res.body));
    }
    const rows = async () => {
      return rig.query<{ id: string; wa: string; status: string }>(`SELECT id, wa_message_id AS wa, status FROM message WHERE direction = 'outbound'`);
    };
    await eventually(async () => (await rows()).filter((r) => r.status === 'SENT').length === TOTAL, 30_000);
    const waIds = (await rows()).map((r) => r.wa);
    await eventually(async () => waIds.every((id) => sim.message(id)), 10_000);

    // The contacts' phones send a delivery and then a read receipt for every message.
    const receipts = waIds.flatMap((id) => [{ id, type: 'delivery' as const }, { id, type: 'read' as const }]);
    const acked = () => receipts.filter((r) => sim.message(r.id)?.receiptAcks?.[r.type]);
    const stream = (async () => {
      for (const r of receipts) {
        sim.receipt(r.id, r.type);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await sim.waitForMessage(() => acked().length >= 40, 30_000);
    await rig.server!.kill9();
    const ackedBeforeCrash = acked();
    await stream;
    assert.ok(ackedBeforeCrash.length < receipts.length, `the crash came too late (${ackedBeforeCrash.length} receipts acknowledged)`);

    const events = async () => {
      const rows = await rig.query(`SELECT envelope FROM event_outbox WHERE type = 'message.status'`);
      const best = new Map<string, number>();
      for (const r of rows) {
        const data = JSON.parse(r.envelope).data as { messageId: string; status: string };
        best.set(data.messageId, Math.max(best.get(data.messageId) ?? 0, RANK[data.status]));
      }
      return best;
    };
    const missingAfter = async () => {
      const byWa = new Map((await rows()).map((r) => [r.wa, r]));
      const evs = await events();
      return ackedBeforeCrash.filter((r) => {
        const row = byWa.get(r.id)!;
        const want = RANK[STATUS_OF[r.type]];
        return RANK[row.status] < want || (evs.get(row.id) ?? 0) < want;
      });
    };
    const lostAtCrash = (await missingAfter()).length;

    await rig.start(env, { preload: SIMULATOR_PRELOAD });
    await rig.waitReady(sessionId);
    // The server delivers the unacknowledged receipts again: in the end every message is READ.
    await eventually(async () => (await rows()).every((r) => r.status === 'READ'), 20_000).catch(() => undefined);
    const missing = await missingAfter();
    const final = await rows();
    t.diagnostic(
      `receipts: ${ackedBeforeCrash.length} of ${receipts.length} acknowledged before kill -9, ${lostAtCrash} of them not stored at the crash, ` +
        `${ackedBeforeCrash.length - missing.length} reflected after the restart; ${final.filter((r) => r.status === 'READ').length} of ${TOTAL} messages READ in the end`,
    );
    assert.deepEqual(
      missing.map((r) => `${r.id} ${r.type}`),
      [],
      `${missing.length} of ${ackedBeforeCrash.length} acknowledged receipts are not reflected (status and message.status event)`,
    );
    assert.ok(final.every((r) => r.status === 'READ'), 'the receipts never acknowledged arrive again after the restart');
  });
});
