import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, Repository } from 'typeorm';
import type { AttemptResult } from './webhook-http';
import { WebhookDeliveryAttemptEntity } from './entities/webhook-delivery-attempt.entity';
import { DeliveryStatus, WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WEBHOOK_SECRET_ADDRESS, WebhookEntity } from './entities/webhook.entity';
import { isUuid, rowsOf } from '../database/sql';
import { AtRestEncryption, reencryptColumn, underReencryptLock } from '../crypto/at-rest-encryption';
import { openColumn, sealColumn } from '../crypto/encrypted-column';
import { SecretBox } from '../crypto/secret-box';

/**
 * SQL condition on a pending delivery `d`: no earlier pending delivery of its subscription and
 * order key is waiting for a retry. A chat's failing delivery holds back that chat only.
 */
const NOT_WAITING_BEHIND = `NOT EXISTS (SELECT 1 FROM webhook_delivery e
  WHERE e.webhook_id = d.webhook_id AND e.order_key = d.order_key AND e.status = 'PENDING' AND e.seq < d.seq AND e.next_attempt_at > now())`;

/** Rows per INSERT (6 parameters each; PostgreSQL allows 65,535 per statement). */
const INSERT_CHUNK = 1_000;

export interface MatchingSubscription {
  id: string;
  url: string;
  sessionId: string | null;
  events: string[];
  format: string;
  options: Record<string, unknown>;
}

export interface NewDelivery {
  webhookId: string;
  eventId: string;
  eventType: string;
  sessionId: string | null;
  /** See orderKeyOf: deliveries of one key go out in order, different keys in parallel. */
  orderKey?: string;
  body: string;
}

/** Subscriptions and their deliveries in aggregate, for the dashboard. */
export interface WebhookHealthSummary {
  total: number;
  active: number;
  pending: number;
  failedLast24h: number;
  deliveredLast24h: number;
  oldestPendingAt: string | null;
}

export interface WebhookHealthCounts {
  pending: number;
  failed: number;
}

/** The outcome of one attempt, as the dispatcher decided it. */
export interface AttemptOutcome {
  status: DeliveryStatus;
  /** When a PENDING delivery is due again. */
  nextAttemptAt: Date | null;
}

export interface RecordedAttempt {
  deliveryId: string;
  result: AttemptResult;
  outcome: AttemptOutcome;
}

export interface HealthUpdate {
  consecutiveFailures: number;
  succeeded: boolean;
  failed: boolean;
  lastError: string | null;
}

export interface DeliveryListFilter {
  webhookId: string;
  status?: DeliveryStatus;
  beforeSeq?: number;
  limit: number;
}

/**
 * The webhooks feature's SQL. Each subscription's queue is delivered by one process at a
 * time: the process leases the subscription row (`lease_owner`, `lease_until`), claimed with
 * `FOR UPDATE SKIP LOCKED`, and a lease that is not renewed expires so another process takes
 * over. Deliveries themselves are plain rows in creation order (`seq`).
 */
@Injectable()
export class WebhooksRepository {
  constructor(
    @InjectRepository(WebhookEntity) private readonly webhooks: Repository<WebhookEntity>,
    @InjectRepository(WebhookDeliveryEntity) private readonly deliveries: Repository<WebhookDeliveryEntity>,
    @InjectRepository(WebhookDeliveryAttemptEntity) private readonly attempts: Repository<WebhookDeliveryAttemptEntity>,
    @InjectDataSource() private readonly db: DataSource,
    box: SecretBox,
    encryption: AtRestEncryption,
  ) {
    // Signing secrets are encrypted at rest; rows from before (plaintext, older key) are rewritten at boot.
    encryption.register({
      name: 'webhook',
      reencrypt: () =>
        underReencryptLock(this.db, (tx) =>
          reencryptColumn(tx, box, { table: 'webhook', keys: ['id'], column: 'secret', address: () => WEBHOOK_SECRET_ADDRESS }),
        ),
    });
  }

  // ------------------------------------------------------------ subscriptions

  async insert(row: Pick<WebhookEntity, 'url' | 'events' | 'sessionId' | 'format' | 'options' | 'secret' | 'description' | 'active' | 'restricted'>): Promise<WebhookEntity> {
    const entity = this.webhooks.create({ ...row, origin: 'api', consecutiveFailures: 0 });
    return this.webhooks.save(entity);
  }

  findById(id: string): Promise<WebhookEntity | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.webhooks.findOneBy({ id });
  }

  /** Oldest first; `sessionIds` limits to webhooks bound to those sessions (no global ones). */
  list(sessionIds: string[] | null): Promise<WebhookEntity[]> {
    const qb = this.webhooks.createQueryBuilder('w').orderBy('w.created_at', 'ASC');
    if (sessionIds) qb.andWhere('w.session_id IN (:...ids)', { ids: sessionIds });
    return qb.getMany();
  }

  async update(id: string, patch: Partial<Pick<WebhookEntity, 'url' | 'events' | 'sessionId' | 'secret' | 'description' | 'active' | 'options' | 'restricted'>>): Promise<WebhookEntity | null> {
    // TypeORM's deep-partial typing cannot express a jsonb Record column; the values are plain.
    if (Object.keys(patch).length) await this.webhooks.update({ id }, patch as Parameters<Repository<WebhookEntity>['update']>[1]);
    return this.findById(id);
  }

  async delete(id: string): Promise<void> {
    await this.webhooks.delete({ id });
  }

  /**
   * Creates the session's per-device webhook (the device-token gateway), or points the existing one at `url`
   * (and re-activates it). Atomic under concurrent calls.
   */
  async upsertDevice(sessionId: string, url: string, secret: string, restricted: boolean): Promise<{ webhook: WebhookEntity; created: boolean }> {
    const rows = rowsOf(await this.db.query(
      `INSERT INTO webhook (url, events, session_id, format, options, secret, origin, restricted)
       VALUES ($1, '{*}', $2, 'native', '{}'::jsonb, $3, 'device', $4)
       ON CONFLICT (session_id) WHERE origin = 'device'
       DO UPDATE SET url = EXCLUDED.url, restricted = EXCLUDED.restricted, active = true, updated_at = now()
       RETURNING id, (xmax = 0) AS created`,
      [url, sessionId, sealColumn(secret, WEBHOOK_SECRET_ADDRESS), restricted],
    ));
    const webhook = await this.webhooks.findOneByOrFail({ id: rows[0].id as string });
    return { webhook, created: rows[0].created === true };
  }

  /** Active subscriptions of `sessionId` (or global) that want at least one of `types`. */
  async findMatching(manager: EntityManager, sessionId: string, types: string[]): Promise<MatchingSubscription[]> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT id, url, session_id, events, format, options FROM webhook
        WHERE active AND (session_id IS NULL OR session_id = $1) AND events && ($2::text[] || '{*}'::text[])
        ORDER BY created_at, id`,
      [sessionId, types],
    );
    return rows.map((r) => ({
      id: r.id as string,
      url: r.url as string,
      sessionId: r.session_id as string | null,
      events: r.events as string[],
      format: r.format as string,
      options: (r.options as Record<string, unknown>) ?? {},
    }));
  }

  // ------------------------------------------------------------ deliveries

  /** One delivery of no published event (a test ping), in a transaction of its own; returns it. */
  async insertDelivery(row: NewDelivery): Promise<WebhookDeliveryEntity> {
    const [id] = await this.insertDeliveries(this.db.manager, [row]);
    return (await this.findDelivery(row.webhookId, id))!;
  }

  /** Inserts deliveries in array order (their `seq` follows it), in the manager's transaction; returns their ids. */
  async insertDeliveries(manager: EntityManager, rows: NewDelivery[]): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const params: unknown[] = [];
      const values = chunk.map((r) => {
        params.push(r.webhookId, r.eventId, r.eventType, r.sessionId, r.orderKey ?? '', r.body);
        const n = params.length;
        return `($${n - 5}::uuid, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n}, 'PENDING')`;
      });
      const inserted = rowsOf(await manager.query(
        `INSERT INTO webhook_delivery (webhook_id, event_id, event_type, session_id, order_key, body, status) VALUES ${values.join(', ')} RETURNING id`,
        params,
      ));
      ids.push(...inserted.map((r) => r.id as string));
    }
    return ids;
  }

  /**
   * Leases up to `limit` active subscriptions with a delivery ready to go (see pendingReady)
   * that no live process holds, most overdue first. Expired leases (a crashed process) are
   * taken over.
   */
  async claimDue(owner: string, limit: number, leaseMs: number, exclude: string[]): Promise<WebhookEntity[]> {
    const rows = rowsOf(await this.db.query(
      `UPDATE webhook w SET lease_owner = $1, lease_until = now() + ($2 || ' milliseconds')::interval
         FROM (SELECT c.id FROM webhook c
               WHERE c.active AND (c.lease_until IS NULL OR c.lease_until < now()) AND NOT (c.id = ANY($4::uuid[]))
                 AND EXISTS (SELECT 1 FROM webhook_delivery d
                              WHERE d.webhook_id = c.id AND d.status = 'PENDING' AND d.next_attempt_at <= now() AND ${NOT_WAITING_BEHIND})
               ORDER BY (SELECT min(d.next_attempt_at) FROM webhook_delivery d WHERE d.webhook_id = c.id AND d.status = 'PENDING')
               LIMIT $3
               FOR UPDATE OF c SKIP LOCKED) due
        WHERE w.id = due.id
        RETURNING w.*`,
      [owner, String(leaseMs), limit, exclude],
    ));
    return rows.map((r) => this.webhooks.create(webhookFromRaw(r)));
  }

  /**
   * When the next retry of an unleased active subscription falls due, if any (deliveries ready
   * now are found by claimDue; this is when to look again).
   */
  async nextDueAt(): Promise<Date | null> {
    const [row] = await this.db.query(
      `SELECT min(next.at) AS at FROM webhook c
        CROSS JOIN LATERAL (SELECT min(d.next_attempt_at) AS at FROM webhook_delivery d
                             WHERE d.webhook_id = c.id AND d.status = 'PENDING' AND d.next_attempt_at > now()) next
        WHERE c.active AND (c.lease_until IS NULL OR c.lease_until < now())`,
    );
    return row?.at ? new Date(row.at) : null;
  }

  async renewLeases(owner: string, ids: string[], leaseMs: number): Promise<void> {
    if (!ids.length) return;
    await this.db.query(
      `UPDATE webhook SET lease_until = now() + ($3 || ' milliseconds')::interval WHERE lease_owner = $1 AND id = ANY($2::uuid[])`,
      [owner, ids, String(leaseMs)],
    );
  }

  async releaseLease(owner: string, id: string): Promise<void> {
    await this.db.query(`UPDATE webhook SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [id, owner]);
  }

  /**
   * The first `limit` deliveries of a subscription that may go now, in creation order: pending,
   * due, and not behind a delivery of the same chat (order key) that waits for a retry. None
   * while the subscription is inactive.
   */
  pendingReady(webhookId: string, limit: number): Promise<WebhookDeliveryEntity[]> {
    return this.deliveries
      .createQueryBuilder('d')
      .where('d.webhook_id = :webhookId AND d.status = :status', { webhookId, status: DeliveryStatus.PENDING })
      .andWhere('EXISTS (SELECT 1 FROM webhook w WHERE w.id = d.webhook_id AND w.active)')
      .andWhere('d.next_attempt_at <= now()')
      .andWhere(NOT_WAITING_BEHIND)
      .orderBy('d.seq', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Whether the subscription exists and is active (deactivation pauses its queue). */
  async isActive(webhookId: string): Promise<boolean> {
    const rows = rowsOf(await this.db.query(`SELECT active FROM webhook WHERE id = $1`, [webhookId]));
    return rows[0]?.active === true;
  }

  /**
   * Records attempts of one subscription's deliveries in one statement: each delivery's new
   * state, one attempt-log row each, and the subscription's health (`health`: its failures in
   * a row after the last of these attempts; whether any succeeded or failed). Returns how
   * many deliveries were still pending and got recorded (fewer when the webhook was deleted),
   * and whether the webhook is still active (a deactivated one's worker must stop sending).
   */
  async recordAttempts(webhookId: string, attempts: RecordedAttempt[], health: HealthUpdate): Promise<{ recorded: number; active: boolean }> {
    const col = <T>(f: (a: RecordedAttempt) => T) => attempts.map(f);
    const rows = rowsOf(await this.db.query(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::text[], $7::int[], $8::boolean[], $9::text[])
                AS t(id, status, next_at, started_at, status_code, error, duration_ms, success, response_body)
       ), d AS (
         UPDATE webhook_delivery w SET status = i.status, attempts = w.attempts + 1,
                next_attempt_at = COALESCE(i.next_at, w.next_attempt_at), last_attempt_at = i.started_at,
                last_status_code = i.status_code, last_error = i.error,
                delivered_at = CASE WHEN i.status = 'DELIVERED' THEN now() ELSE w.delivered_at END, updated_at = now()
           FROM input i
          WHERE w.id = i.id AND w.status = 'PENDING'
          RETURNING w.id, w.attempts
       ), a AS (
         INSERT INTO webhook_delivery_attempt (delivery_id, attempt, started_at, duration_ms, status_code, success, error, response_body)
         SELECT d.id, d.attempts, i.started_at, i.duration_ms, i.status_code, i.success, i.error, i.response_body
           FROM d JOIN input i ON i.id = d.id
       ), h AS (
         UPDATE webhook SET consecutive_failures = $11,
                last_success_at = CASE WHEN $12 THEN now() ELSE last_success_at END,
                last_failure_at = CASE WHEN $13 THEN now() ELSE last_failure_at END,
                last_error = CASE WHEN $13 THEN $14 ELSE last_error END
          WHERE id = $10 AND EXISTS (SELECT 1 FROM d)
       )
       SELECT (SELECT count(*)::int FROM d) AS n, COALESCE((SELECT active FROM webhook WHERE id = $10), false) AS active`,
      [
        col((a) => a.deliveryId),
        col((a) => a.outcome.status),
        col((a) => a.outcome.nextAttemptAt),
        col((a) => a.result.startedAt),
        col((a) => a.result.statusCode),
        col((a) => a.result.error),
        col((a) => a.result.durationMs),
        col((a) => a.result.ok),
        col((a) => a.result.responseBody),
        webhookId,
        health.consecutiveFailures,
        health.succeeded,
        health.failed,
        health.lastError,
      ],
    ));
    return { recorded: Number(rows[0]?.n ?? 0), active: rows[0]?.active === true };
  }

  /** Pending and failed counts per subscription. */
  async healthCounts(webhookIds: string[]): Promise<Map<string, WebhookHealthCounts>> {
    const counts = new Map<string, WebhookHealthCounts>();
    if (!webhookIds.length) return counts;
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT webhook_id, count(*) FILTER (WHERE status = 'PENDING')::int AS pending, count(*) FILTER (WHERE status = 'FAILED')::int AS failed
         FROM webhook_delivery WHERE webhook_id = ANY($1::uuid[]) AND status IN ('PENDING', 'FAILED')
        GROUP BY webhook_id`,
      [webhookIds],
    );
    for (const r of rows) counts.set(r.webhook_id as string, { pending: Number(r.pending), failed: Number(r.failed) });
    return counts;
  }

  /** Deliveries waiting to go out (PENDING) over all subscriptions, and the age in seconds of the oldest. */
  async backlog(): Promise<{ pending: number; oldestPendingSeconds: number }> {
    const [row] = rowsOf(await this.db.query(
      `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(queued_at)), 0)::float8 AS oldest
         FROM webhook_delivery WHERE status = 'PENDING'`,
    ));
    return { pending: Number(row.pending), oldestPendingSeconds: Math.max(0, Number(row.oldest)) };
  }

  /** Subscriptions of `sessionIds` (all when null) and how their deliveries fare. */
  async healthSummary(sessionIds: string[] | null): Promise<WebhookHealthSummary> {
    const [w] = rowsOf(await this.db.query(
      `SELECT count(DISTINCT w.id)::int AS total,
              count(DISTINCT w.id) FILTER (WHERE w.active)::int AS active,
              count(d.id) FILTER (WHERE d.status = 'PENDING')::int AS pending,
              count(d.id) FILTER (WHERE d.status = 'FAILED' AND d.created_at > now() - interval '24 hours')::int AS failed,
              count(d.id) FILTER (WHERE d.status = 'DELIVERED' AND d.delivered_at > now() - interval '24 hours')::int AS delivered,
              min(d.created_at) FILTER (WHERE d.status = 'PENDING') AS oldest
         FROM webhook w LEFT JOIN webhook_delivery d ON d.webhook_id = w.id
        WHERE ($1::text[] IS NULL OR w.session_id = ANY($1))`,
      [sessionIds],
    ));
    return {
      total: w.total as number,
      active: w.active as number,
      pending: w.pending as number,
      failedLast24h: w.failed as number,
      deliveredLast24h: w.delivered as number,
      oldestPendingAt: w.oldest ? new Date(w.oldest as string).toISOString() : null,
    };
  }

  /** Newest first; keyset pagination on `seq`. */
  listDeliveries(filter: DeliveryListFilter): Promise<WebhookDeliveryEntity[]> {
    const qb = this.deliveries
      .createQueryBuilder('d')
      .where('d.webhook_id = :webhookId', { webhookId: filter.webhookId })
      .orderBy('d.seq', 'DESC')
      .take(filter.limit);
    if (filter.status) qb.andWhere('d.status = :status', { status: filter.status });
    if (filter.beforeSeq !== undefined) qb.andWhere('d.seq < :beforeSeq', { beforeSeq: filter.beforeSeq });
    return qb.getMany();
  }

  findDelivery(webhookId: string, id: string): Promise<WebhookDeliveryEntity | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.deliveries.findOneBy({ id, webhookId });
  }

  attemptsOf(deliveryId: string): Promise<WebhookDeliveryAttemptEntity[]> {
    return this.attempts.find({ where: { deliveryId }, order: { id: 'ASC' } });
  }

  /**
   * Queues a delivery again, due now, with a fresh retry budget and window. Works in any
   * state (a pending one waiting in backoff is retried at once). Null when not found.
   */
  async redeliver(webhookId: string, id: string): Promise<WebhookDeliveryEntity | null> {
    if (!isUuid(id)) return null;
    const rows = rowsOf(await this.db.query(
      `UPDATE webhook_delivery SET status = 'PENDING', round_start = attempts, queued_at = now(), next_attempt_at = now(),
              delivered_at = NULL, updated_at = now()
        WHERE id = $1 AND webhook_id = $2 RETURNING id`,
      [id, webhookId],
    ));
    return rows.length ? this.findDelivery(webhookId, id) : null;
  }

  /** Deletes finished deliveries (and their attempts) last changed before the cutoff; returns how many. */
  async pruneFinished(olderThanDays: number, batch = 5_000): Promise<number> {
    const rows = rowsOf(await this.db.query(
      `DELETE FROM webhook_delivery WHERE id IN (
         SELECT id FROM webhook_delivery WHERE status <> 'PENDING' AND updated_at < now() - ($1 || ' days')::interval LIMIT $2)
       RETURNING id`,
      [String(olderThanDays), batch],
    ));
    return rows.length;
  }
}

/** Raw `RETURNING *` row → entity properties. */
function webhookFromRaw(r: Record<string, unknown>): Partial<WebhookEntity> {
  return {
    id: r.id as string,
    url: r.url as string,
    events: r.events as string[],
    sessionId: r.session_id as string | null,
    format: r.format as string,
    options: (r.options as Record<string, unknown>) ?? {},
    secret: openColumn(r.secret as string, WEBHOOK_SECRET_ADDRESS),
    description: r.description as string | null,
    active: r.active as boolean,
    origin: r.origin as WebhookEntity['origin'],
    restricted: r.restricted === true,
    leaseOwner: r.lease_owner as string | null,
    leaseUntil: r.lease_until as Date | null,
    consecutiveFailures: Number(r.consecutive_failures),
    lastSuccessAt: r.last_success_at as Date | null,
    lastFailureAt: r.last_failure_at as Date | null,
    lastError: r.last_error as string | null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}
