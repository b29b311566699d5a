import assert from 'node:assert/strict';
import { after, describe, it } from '../support/node-test';
import { CrashRig } from '../support/crash-rig';
import { eventually } from '../support/http';
import { SIMULATOR_PRELOAD } from '../support/server-process';
import { simulatorProcessEnv } from '../support/simulator-env';
import { TEST_API_KEY } from '../support/test-app';
import { WaSimulator } from '../wa-sim/wa-simulator';

/**
 * kill -9 of a real gateway process in the middle of a burst of inbound messages: every
 * message acknowledged to its sender (the sandbox's 2xx, WhatsApp's delivery receipt) is
 * stored after the restart, exactly once. Needs PostgreSQL (DATABASE_URL): a killed process
 * cannot be expected to leave an embedded database consistent.
 */
describe('Inbound messages survive kill -9 once acknowledged', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  async function setup(prefix: string) {
    const rig = await CrashRig.create(prefix);
    cleanups.push(() => rig.close());
    /** wa_message_id → how many inbound rows carry it. */
    const stored = async () => {
      const rows = await rig.query(`SELECT wa_message_id AS id, count(*)::int AS n FROM message WHERE direction = 'inbound' GROUP BY 1`);
      return new Map(rows.map((r) => [r.id as string, r.n as number]));
    };
    return { rig, stored };
  }

  it('sandbox: every 2xx-acknowledged POST .../sandbox/inbound of a burst of 200 is stored once', async (t) => {
    const { rig, stored } = await setup('sb-inbound-crash-');
    const env = rig.env();
    const { url } = await rig.start(env);
    const sessionId = await rig.sandboxSession('15550500001');

    const TOTAL = 200;
    const acknowledged: string[] = [];
    let next = 0;
    let killAt!: () => void;
    const killNow = new Promise<void>((resolve) => (killAt = resolve));
    const worker = async () => {
      while (next < TOTAL) {
        const i = next++;
        try {
          const res = await fetch(`${url}/api/sessions/${sessionId}/sandbox/inbound`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ from: `1555051${String(i % 50).padStart(4, '0')}`, text: `burst ${i}` }),
          });
          if (res.ok) acknowledged.push(((await res.json()) as { message: { id: string } }).message.id);
        } catch {
          return; // the server is gone: whatever was in flight was never acknowledged
        }
        if (acknowledged.length >= 60) killAt();
      }
    };
    const burst = Promise.all(Array.from({ length: 20 }, worker));
    await killNow;
    await rig.server!.kill9();
    await burst;
    const acked = [...acknowledged];
    assert.ok(acked.length < TOTAL, `the crash came too late (${acked.length} acknowledged)`);

    await rig.start(env);
    await rig.waitReady(sessionId);
    const rows = await stored();
    const missing = acked.filter((id) => !rows.has(id));
    t.diagnostic(`sandbox: ${acked.length} acknowledged before kill -9, ${acked.length - missing.length} of them stored, ${rows.size} rows`);
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged messages were lost`);
    for (const id of acked) assert.equal(rows.get(id), 1, `${id} stored exactly once`);
  });

  it('real Baileys: every message whose sender got a delivery receipt is stored once after kill -9 and restart', async (t) => {
    const { rig, stored } = await setup('sb-baileys-crash-');
    const sim = new WaSimulator({ logErrors: false });
    await sim.start();
    cleanups.push(() => sim.stop());
    const env = rig.env(simulatorProcessEnv(sim));
    await rig.start(env, { preload: SIMULATOR_PRELOAD });
    const PHONE = '15550600001';
    const sessionId = await rig.simulatorSession(sim, PHONE);

    const contacts = Array.from({ length: 5 }, (_, i) => sim.addContact(`155506100${i + 1}0`, `Contact ${i + 1}`));
    const TOTAL = 120;
    const receipted = () => sim.messages({ direction: 'in' }).filter((m) => m.receipts.delivery).map((m) => m.id);
    const sent: string[] = [];
    const burst = (async () => {
      for (let i = 0; i < TOTAL; i++) {
        sent.push((await sim.contactSend(contacts[i % contacts.length].phoneNumber, PHONE, `burst ${i}`)).id);
      }
    })();
    // The kill lands while the gateway is still working through the burst.
    await sim.waitForMessage(() => receipted().length >= 25, 30_000);
    await rig.server!.kill9();
    const acked = receipted();
    await burst;
    assert.ok(acked.length < TOTAL, `the crash came too late (${acked.length} receipts)`);

    await rig.start(env, { preload: SIMULATOR_PRELOAD });
    await rig.waitReady(sessionId);
    // WhatsApp (and the simulator) delivers again what was never acknowledged, so in the end
    // every message of the burst arrives; the acknowledged ones must be there first of all.
    let rows = await stored();
    await eventually(async () => {
      rows = await stored();
      return sent.every((id) => rows.has(id));
    }, 20_000).catch(() => undefined);
    const missing = acked.filter((id) => !rows.has(id));
    t.diagnostic(
      `baileys: ${acked.length} receipts sent before kill -9, ${acked.length - missing.length} of them stored; ` +
        `${sent.filter((id) => rows.has(id)).length} of ${TOTAL} sent stored after restart`,
    );
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} messages the senders saw delivered were lost`);
    for (const id of sent) assert.equal(rows.get(id), 1, `${id} stored exactly once`);
  });
});
