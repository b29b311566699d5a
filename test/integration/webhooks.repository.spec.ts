import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installColumnSecretBox } from '../../src/crypto/encrypted-column';
import { loadKeyring } from '../../src/crypto/master-key';
import { SecretBox } from '../../src/crypto/secret-box';
import { WebhookDeliveryAttemptEntity } from '../../src/webhooks/entities/webhook-delivery-attempt.entity';
import { DeliveryStatus, WebhookDeliveryEntity } from '../../src/webhooks/entities/webhook-delivery.entity';
import { WebhookEntity } from '../../src/webhooks/entities/webhook.entity';
import { WebhooksRepository, type RecordedAttempt } from '../../src/webhooks/webhooks.repository';
import { openTestDataSource, testDatabaseKinds, type TestDataSource } from '../support/test-database';
import { after, before, beforeEach, describe, it } from '../support/node-test';

/**
 * The webhook delivery queue's SQL on a real database, without the app: leases on
 * subscriptions, the queue head in creation order, recording attempts with the health, counts.
 */
for (const kind of testDatabaseKinds()) describe(`WebhooksRepository: the delivery queue (${kind})`, () => {
  let db: TestDataSource;
  let repo: WebhooksRepository;
  const keyDir = mkdtempSync(join(tmpdir(), 'sb-keys-'));

  before(async () => {
    db = await openTestDataSource(kind);
    const box = new SecretBox(loadKeyring({ masterKey: randomBytes(32).toString('hex') }, keyDir));
    installColumnSecretBox(box);
    const ds = db.dataSource;
    const encryption = { register: () => undefined };
    repo = new WebhooksRepository(ds.getRepository(WebhookEntity), ds.getRepository(WebhookDeliveryEntity), ds.getRepository(WebhookDeliveryAttemptEntity), ds, box, encryption as never);
  });
  after(async () => {
    await db?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM webhook');
  });

  const webhook = (url = 'https://example.com/hook') =>
    repo.insert({ url, events: ['*'], sessionId: null, format: 'native', options: {}, secret: 'shh', description: null, active: true, restricted: false });
  const deliver = (webhookId: string, ...names: string[]) =>
    db.dataSource.transaction((m) =>
      repo.insertDeliveries(m, names.map((n) => ({ webhookId, eventId: n, eventType: 'contact.opt_in', sessionId: null, body: JSON.stringify({ n }) }))),
    );
  const attempt = (deliveryId: string, ok: boolean, status: DeliveryStatus, nextAttemptAt: Date | null = null): RecordedAttempt => ({
    deliveryId,
    result: { ok, startedAt: new Date(), durationMs: 5, statusCode: ok ? 200 : 503, error: ok ? null : 'HTTP 503', responseBody: ok ? 'ok' : 'down' },
    outcome: { status, nextAttemptAt },
  });

  it('leases a due subscription to one owner at a time, and lets another take over an expired lease', async () => {
    const w = await webhook();
    await deliver(w.id, 'a');
    const first = await repo.claimDue('p1', 10, 60_000, []);
    assert.deepEqual(first.map((x) => x.id), [w.id]);
    assert.deepEqual(await repo.claimDue('p2', 10, 60_000, []), [], 'leased by p1');
    assert.equal(await repo.nextDueAt(), null, 'nothing unleased is due');

    await db.dataSource.query(`UPDATE webhook SET lease_until = now() - interval '1 second' WHERE id = $1`, [w.id]);
    assert.deepEqual((await repo.claimDue('p2', 10, 60_000, [])).map((x) => x.id), [w.id], 'an expired lease is taken over');
    await repo.releaseLease('p1', w.id);
    assert.deepEqual(await repo.claimDue('p1', 10, 60_000, []), [], 'a former owner cannot release the new lease');
    await repo.releaseLease('p2', w.id);
    assert.deepEqual((await repo.claimDue('p1', 10, 60_000, [w.id])), [], 'excluded');
    assert.equal((await repo.claimDue('p1', 10, 60_000, [])).length, 1);
  });

  it('claims nothing without a due pending head, nor for an inactive subscription', async () => {
    const idle = await webhook('https://example.com/idle');
    assert.deepEqual(await repo.claimDue('p', 10, 60_000, []), []);
    await deliver(idle.id, 'later');
    await db.dataSource.query(`UPDATE webhook_delivery SET next_attempt_at = now() + interval '1 hour'`);
    assert.deepEqual(await repo.claimDue('p', 10, 60_000, []), []);
    const due = await repo.nextDueAt();
    assert.ok(due && due.getTime() > Date.now() + 50 * 60_000, 'reports when the head is due');
    await db.dataSource.query(`UPDATE webhook_delivery SET next_attempt_at = now()`);
    await repo.update(idle.id, { active: false });
    assert.deepEqual(await repo.claimDue('p', 10, 60_000, []), []);
    assert.deepEqual(await repo.pendingReady(idle.id, 10), [], 'an inactive subscription has no head');
  });

  it('gives the pending head in creation order, and records attempts with the health in one go', async () => {
    const w = await webhook();
    await deliver(w.id, 'd1', 'd2', 'd3');
    const head = await repo.pendingReady(w.id, 2);
    assert.deepEqual(head.map((d) => d.eventId), ['d1', 'd2']);

    const retryAt = new Date(Date.now() + 60_000);
    const first = await repo.recordAttempts(w.id, [attempt(head[0].id, true, DeliveryStatus.DELIVERED), attempt(head[1].id, false, DeliveryStatus.PENDING, retryAt)], {
      consecutiveFailures: 1,
      succeeded: true,
      failed: true,
      lastError: 'HTTP 503',
    });
    assert.deepEqual(first, { recorded: 2, active: true });
    const rows = await db.dataSource.query(`SELECT event_id, status, attempts, last_status_code FROM webhook_delivery ORDER BY seq`);
    assert.deepEqual(rows.map((r: any) => [r.event_id, r.status, r.attempts, r.last_status_code]), [
      ['d1', 'DELIVERED', 1, 200],
      ['d2', 'PENDING', 1, 503],
      ['d3', 'PENDING', 0, null],
    ]);
    assert.deepEqual((await repo.attemptsOf(head[1].id)).map((a) => [a.attempt, a.success, a.statusCode, a.error]), [[1, false, 503, 'HTTP 503']]);
    const [health] = await db.dataSource.query(`SELECT consecutive_failures, last_error, last_success_at IS NOT NULL AS ok FROM webhook WHERE id = $1`, [w.id]);
    assert.deepEqual([health.consecutive_failures, health.last_error, health.ok], [1, 'HTTP 503', true]);
    assert.deepEqual(await repo.healthCounts([w.id]), new Map([[w.id, { pending: 2, failed: 0 }]]));

    // An attempt on a delivery that is no longer pending is not recorded again.
    const again = await repo.recordAttempts(w.id, [attempt(head[0].id, false, DeliveryStatus.FAILED)], { consecutiveFailures: 9, succeeded: false, failed: true, lastError: 'late' });
    assert.deepEqual(again, { recorded: 0, active: true });
    const [unchanged] = await db.dataSource.query(`SELECT consecutive_failures FROM webhook WHERE id = $1`, [w.id]);
    assert.equal(unchanged.consecutive_failures, 1, 'the health moves only with recorded attempts');
  });

  it('holds back only the chat whose delivery waits for a retry; other chats stay ready and claimable', async () => {
    const w = await webhook();
    const keyed = (eventId: string, orderKey: string) => ({ webhookId: w.id, eventId, eventType: 'message.received', sessionId: null, orderKey, body: '{}' });
    await db.dataSource.transaction((m) => repo.insertDeliveries(m, [keyed('a1', 's/a'), keyed('b1', 's/b'), keyed('a2', 's/a'), keyed('b2', 's/b')]));
    assert.deepEqual((await repo.pendingReady(w.id, 10)).map((d) => [d.eventId, d.orderKey]), [['a1', 's/a'], ['b1', 's/b'], ['a2', 's/a'], ['b2', 's/b']]);

    const [a1] = await repo.pendingReady(w.id, 1);
    await repo.recordAttempts(w.id, [attempt(a1.id, false, DeliveryStatus.PENDING, new Date(Date.now() + 60_000))], { consecutiveFailures: 1, succeeded: false, failed: true, lastError: 'HTTP 503' });
    assert.deepEqual((await repo.pendingReady(w.id, 10)).map((d) => d.eventId), ['b1', 'b2'], "chat a waits behind its retry, in order; chat b goes on");
    assert.deepEqual((await repo.claimDue('p', 10, 60_000, [])).map((x) => x.id), [w.id], 'claimable while one chat is ready');
    await repo.releaseLease('p', w.id);

    await db.dataSource.query(`UPDATE webhook_delivery SET status = 'DELIVERED' WHERE event_id LIKE 'b%'`);
    assert.deepEqual(await repo.pendingReady(w.id, 10), []);
    assert.deepEqual(await repo.claimDue('p', 10, 60_000, []), [], 'nothing ready: not claimed (no busy loop on a waiting chat)');
    const due = await repo.nextDueAt();
    assert.ok(due && Math.abs(due.getTime() - (Date.now() + 60_000)) < 5_000, 'wakes when the retry is due');
  });

  it('reports a deactivated subscription to the worker recording its attempts', async () => {
    const w = await webhook();
    await deliver(w.id, 'x');
    const [head] = await repo.pendingReady(w.id, 1);
    await repo.update(w.id, { active: false });
    const recorded = await repo.recordAttempts(w.id, [attempt(head.id, false, DeliveryStatus.PENDING, new Date())], { consecutiveFailures: 1, succeeded: false, failed: true, lastError: 'HTTP 503' });
    assert.deepEqual(recorded, { recorded: 1, active: false });
    await repo.delete(w.id);
    assert.deepEqual(await repo.healthCounts([w.id]), new Map());
  });
});
