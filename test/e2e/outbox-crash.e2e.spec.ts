import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from '../support/node-test';
import { CrashRig } from '../support/crash-rig';
import { eventually } from '../support/http';
import { WebhookReceiver } from '../support/webhook-receiver';

const TOTAL = 300;

/**
 * kill -9 of a real server process while it sends messages and records their receipts, with
 * a webhook subscribed: after a restart, every message whose status the database holds has
 * that status in a `message.status` event (outbox row and webhook delivery). The status
 * change and its event are one transaction, so no crash can separate them. Needs a
 * PostgreSQL server (DATABASE_URL), like the other kill -9 test.
 */
describe('Event outbox across a crash (kill -9 mid-dispatch)', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let rig: CrashRig | undefined;
  let receiver: WebhookReceiver | undefined;
  after(async () => {
    await rig?.close();
    await receiver?.close();
  });

  it('every status a message holds after the crash has its message.status event', async () => {
    rig = await CrashRig.create('sb-outbox-crash-');
    receiver = await WebhookReceiver.start();
    const sendLog = join(rig.dataDir, 'sends.jsonl');
    const env = rig.env({ SANDBOX_SEND_LOG: sendLog, SANDBOX_RECEIPT_DELAY_MS: '3' });
    await rig.start(env);
    const sessionId = await rig.sandboxSession('15550420001');
    const hook = await rig.post('/api/webhooks', { url: receiver.url, sessionId, events: ['message.status'] });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    const accepted = await Promise.all(
      Array.from({ length: TOTAL }, async (_, i) => {
        const res = await rig!.post('/api/messages/send', { sessionId, to: `1555042${String(i + 1).padStart(4, '0')}`, type: 'text', text: `n${i}` });
        assert.equal(res.status, 202);
        return res.body.message as { id: string };
      }),
    );
    assert.equal(accepted.length, TOTAL);
    // Kill while sends and receipts are being recorded.
    await eventually(async () => existsSync(sendLog) && readFileSync(sendLog, 'utf8').split('\n').length > TOTAL / 3, 20_000, 2);
    await rig.server!.kill9();
    const sentBeforeCrash = readFileSync(sendLog, 'utf8').trim().split('\n').length;
    assert.ok(sentBeforeCrash < TOTAL, `the crash came too late (${sentBeforeCrash} already sent)`);

    await rig.start(env);
    // The restarted process sends the rest (their receipts come from its sandbox).
    await eventually(async () => {
      const [{ n }] = await rig!.query(`SELECT count(*)::int AS n FROM message WHERE status NOT IN ('QUEUED', 'SENDING')`);
      return n === TOTAL;
    }, 30_000);
    const messages = await rig.query(`SELECT id, status FROM message`);
    const events = async (table: 'webhook_delivery' | 'event_outbox') => {
      const column = table === 'webhook_delivery' ? 'body' : 'envelope';
      const rows = await rig!.query(`SELECT ${column} AS body FROM ${table} WHERE ${table === 'webhook_delivery' ? 'event_type' : 'type'} = 'message.status'`);
      const seen = new Set<string>();
      for (const r of rows) {
        const data = JSON.parse(r.body).data;
        seen.add(`${data.messageId} ${data.status}`);
      }
      return seen;
    };
    for (const table of ['webhook_delivery', 'event_outbox'] as const) {
      const seen = await events(table);
      const missing = messages.filter((m) => !seen.has(`${m.id} ${m.status}`));
      assert.deepEqual(
        missing.map((m) => `${m.id} ${m.status}`),
        [],
        `${missing.length} of ${TOTAL} messages hold a status without its event in ${table} (${sentBeforeCrash} sent before the crash)`,
      );
    }
  });
});
