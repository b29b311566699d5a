import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { Wakeup } from '../common/utils/wakeup';
import { AppConfig } from '../config/app-config';
import { DeliveryStatus, type WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import type { WebhookEntity } from './entities/webhook.entity';
import { MetricsService } from '../metrics/metrics.service';
import { WebhookFormats } from './formats/webhook-formats';
import { decideAfterFailure } from './retry-policy';
import { postWebhook, type AttemptResult } from './webhook-http';
import { WebhookTargets } from './webhook-targets';
import { WebhooksRepository, type AttemptOutcome, type RecordedAttempt } from './webhooks.repository';

/** Deliveries read per round trip while draining one subscription's queue. */
const HEAD_BATCH = 100;

const USER_AGENT = 'Switchboard-Webhooks/1';

const MIN_SLEEP_MS = 5;

/** Retries due sooner than this are waited for by the worker that holds the subscription. */
const IN_PLACE_RETRY_MS = 1_000;

/** Attempt records written in one statement at most. */
const MAX_RECORD_BATCH = 500;

/** Attempts a worker may have made before their records are written. */
const MAX_UNRECORDED = 50;

/**
 * Delivers the durable webhook queue over HTTP.
 *
 * - Per subscription and chat (the delivery's order key), deliveries go out one at a time in
 *   creation order; different chats of one subscription go out in parallel, up to
 *   WEBHOOK_CHAT_CONCURRENCY requests at once. A failing delivery holds back the rest of its
 *   own chat (it is retried with backoff) and nothing else.
 * - Up to WEBHOOK_CONCURRENCY subscriptions are served at once per process, each by its own
 *   worker; a worker serves one subscription for at most a time slice, then returns it to
 *   the pool so a large backlog cannot starve the others.
 * - A subscription is leased to one process at a time (claimed with FOR UPDATE SKIP LOCKED);
 *   leases are renewed while held and released when done. A crashed process's leases expire
 *   after WEBHOOK_LEASE_MS and another process (or the restarted one) takes over: the row that
 *   was in flight is sent again, so receivers de-duplicate on the event id.
 * - A deactivated subscription is not claimed, and a worker that holds one stops at its next
 *   database round trip (reading the queue, recording attempts, or before retrying its head):
 *   its pending deliveries wait, in order, until it is reactivated.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  /** Identifies this process's leases; a restarted process has a new one. */
  readonly instanceId = randomUUID();
  private readonly workers = new Map<string, Promise<void>>();
  private stopping = false;
  /** Aborts requests in flight at shutdown; such an attempt is not recorded and the row stays due. */
  private readonly shutdown = new AbortController();
  private loopDone: Promise<void> = Promise.resolve();
  private readonly wakeup = new Wakeup();
  /** Earliest time a subscription served here is due again (its head is in backoff). */
  private nextWakeAt = Infinity;
  private heartbeat?: NodeJS.Timeout;
  private pruner?: NodeJS.Timeout;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly formats: WebhookFormats,
    private readonly config: AppConfig,
    private readonly targets: WebhookTargets,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    const { leaseMs, retentionDays } = this.config.webhooks;
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(50, Math.floor(leaseMs / 3)));
    this.heartbeat.unref();
    if (retentionDays > 0) {
      // Once at start (processes restarted more often than hourly must prune too), then hourly.
      void this.prune(retentionDays);
      this.pruner = setInterval(() => void this.prune(retentionDays), 3_600_000);
      this.pruner.unref();
    }
    this.loopDone = this.loop();
  }

  /** Before the database closes: stop claiming, abort requests in flight, release leases. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.shutdown.abort();
    this.notify();
    clearInterval(this.heartbeat);
    clearInterval(this.pruner);
    await this.loopDone;
    await Promise.all(this.workers.values());
  }

  /** Something became due (new deliveries committed, a redeliver): look for work now. */
  notify(): void {
    this.wakeup.wake();
  }

  private async loop(): Promise<void> {
    const { pollIntervalMs } = this.config.webhooks;
    while (!this.stopping) {
      let sleepMs = pollIntervalMs;
      try {
        sleepMs = await this.claimRound();
      } catch (err) {
        if (!this.stopping) this.logger.error({ err }, 'Webhook claim round failed');
        sleepMs = Math.max(pollIntervalMs, 1_000);
      }
      await this.sleep(sleepMs);
    }
  }

  /** Starts workers for due subscriptions; returns how long to sleep before the next round. */
  private async claimRound(): Promise<number> {
    const { concurrency, leaseMs, pollIntervalMs } = this.config.webhooks;
    const free = concurrency - this.workers.size;
    if (free > 0) {
      const claimed = await this.repo.claimDue(this.instanceId, free, leaseMs, [...this.workers.keys()]);
      for (const webhook of claimed) this.start(webhook);
      if (claimed.length === free) return pollIntervalMs;
      const due = await this.repo.nextDueAt();
      if (due) this.nextWakeAt = Math.min(this.nextWakeAt, due.getTime());
    }
    const untilDue = this.nextWakeAt - Date.now();
    this.nextWakeAt = Infinity;
    // The floor keeps a clock difference between this host and the database from spinning the loop.
    return Math.max(MIN_SLEEP_MS, Math.min(pollIntervalMs, untilDue));
  }

  private start(webhook: WebhookEntity): void {
    const worker = this.serve(webhook)
      .catch((err) => this.logger.error({ err, webhookId: webhook.id }, 'Webhook worker failed'))
      .then(() => this.repo.releaseLease(this.instanceId, webhook.id))
      .catch((err) => this.logger.warn({ err, webhookId: webhook.id }, 'Releasing a webhook lease failed'))
      .finally(() => {
        this.workers.delete(webhook.id);
        this.notify();
      });
    this.workers.set(webhook.id, worker);
  }

  /**
   * Drains one subscription's queue until nothing is ready, the time slice ends or the process
   * stops. Deliveries are grouped into lanes by order key (chat): a lane goes out one at a time
   * in creation order, and up to WEBHOOK_CHAT_CONCURRENCY lanes are in flight at once. A lane
   * whose head must wait for a retry stops there; the others go on.
   *
   * Successful attempts are recorded while the next requests are in flight (group commit:
   * one statement records whatever finished during the previous write). A failure is
   * recorded before its retry, and everything is recorded before the queue is read again,
   * so no delivery is sent twice by one worker.
   */
  private async serve(webhook: WebhookEntity): Promise<void> {
    const formatter = this.formats.find(webhook.format);
    if (!formatter) {
      this.logger.warn({ webhookId: webhook.id, format: webhook.format }, 'Webhook format not available here; its deliveries wait');
      return;
    }
    const run: WorkerRun = { webhook, formatter, log: new AttemptLog(this.repo, webhook, this.logger), sliceEnd: Date.now() + this.sliceMs(), halted: false };
    try {
      for (;;) {
        if (!(await run.log.flushed())) return;
        const batch = await this.repo.pendingReady(webhook.id, HEAD_BATCH);
        const lanes = [...groupBy(batch, (d) => d.orderKey).values()];
        const lanesAtOnce = Math.min(lanes.length, Math.max(1, this.config.webhooks.chatConcurrency));
        const takeLanes = async (): Promise<void> => {
          for (let lane = lanes.shift(); lane && !run.halted && !this.stopping; lane = lanes.shift()) await this.drainLane(run, lane);
        };
        await Promise.all(Array.from({ length: lanesAtOnce }, takeLanes));
        if (run.halted || this.stopping || batch.length < HEAD_BATCH || Date.now() >= run.sliceEnd) return;
      }
    } finally {
      await run.log.flushed();
    }
  }

  /** Sends one lane's deliveries in order; returns when it is done, must wait, or the worker halts. */
  private async drainLane(run: WorkerRun, lane: WebhookDeliveryEntity[]): Promise<void> {
    const { webhook, formatter, log } = run;
    const halt = () => {
      run.halted = true;
    };
    let i = 0;
    while (i < lane.length) {
      const delivery = lane[i];
      if (this.stopping || run.halted) return;
      // Bounds what a crash can leave unrecorded (and so send twice).
      if (log.unwritten >= MAX_UNRECORDED && !(await log.flushed())) return halt();
      const headers = {
        'Content-Type': 'application/json',
        'User-Agent': USER_AGENT,
        ...formatter.headers({
          body: delivery.body,
          secret: webhook.secret,
          eventId: delivery.eventId,
          eventType: delivery.eventType,
          deliveryId: delivery.id,
          timestamp: Math.floor(Date.now() / 1000),
        }),
      };
      const result = await postWebhook(this.targets.transport(webhook.restricted), webhook.url, delivery.body, headers, this.config.webhooks.timeoutMs, this.shutdown.signal);
      // Canceled at shutdown: not an attempt; the row stays due for the next process.
      if (this.stopping && !result.ok) return;
      const outcome = this.outcome(delivery, result, result.ok ? 0 : log.consecutiveFailures + 1);
      log.add(delivery, result, outcome);
      this.metrics?.webhookAttempt(outcome.status === DeliveryStatus.DELIVERED ? 'delivered' : outcome.status === DeliveryStatus.FAILED ? 'failed' : 'retry');
      if (!log.healthy || log.paused) return halt();
      if (outcome.status === DeliveryStatus.DELIVERED || outcome.status === DeliveryStatus.FAILED) {
        i++;
        if (Date.now() >= run.sliceEnd) return halt();
        continue;
      }
      const due = outcome.nextAttemptAt!.getTime();
      if (due - Date.now() > IN_PLACE_RETRY_MS || due >= run.sliceEnd) {
        // This chat waits for its retry; the worker's other lanes go on.
        this.wakeAt(due);
        return;
      }
      // A short backoff is waited out here, keeping the lease, instead of a release and
      // re-claim; the failure's record lands meanwhile, before the same row is tried again.
      delivery.attempts += 1;
      delivery.nextAttemptAt = new Date(due);
      const [ok] = await Promise.all([log.flushed(), this.pause(due - Date.now())]);
      // Deactivated during the backoff: the head waits for reactivation like the rest.
      if (!ok || !(await this.repo.isActive(webhook.id))) return halt();
    }
  }

  private outcome(delivery: WebhookDeliveryEntity, result: AttemptResult, consecutiveFailures: number): AttemptOutcome {
    if (result.ok) return { status: DeliveryStatus.DELIVERED, nextAttemptAt: null };
    const { retryBaseMs, retryMaxMs, maxAttempts } = this.config.webhooks;
    const decision = decideAfterFailure(
      { roundAttempts: delivery.attempts + 1 - delivery.roundStart, queuedAt: delivery.queuedAt, consecutiveFailures, now: new Date() },
      { baseDelayMs: retryBaseMs, maxDelayMs: retryMaxMs, maxAttempts },
    );
    return decision.action === 'retry'
      ? { status: DeliveryStatus.PENDING, nextAttemptAt: decision.at }
      : { status: DeliveryStatus.FAILED, nextAttemptAt: null };
  }

  /** A worker holds a subscription at most this long before giving others a turn. */
  private sliceMs(): number {
    return Math.max(1_000, Math.floor(this.config.webhooks.leaseMs / 2));
  }

  private wakeAt(at: number): void {
    this.nextWakeAt = Math.min(this.nextWakeAt, at);
    this.notify();
  }

  private async renewLeases(): Promise<void> {
    try {
      await this.repo.renewLeases(this.instanceId, [...this.workers.keys()], this.config.webhooks.leaseMs);
    } catch (err) {
      if (!this.stopping) this.logger.warn({ err }, 'Renewing webhook leases failed');
    }
  }

  private async prune(days: number): Promise<void> {
    try {
      let removed = 0;
      let n: number;
      do {
        n = await this.repo.pruneFinished(days);
        removed += n;
      } while (n > 0 && !this.stopping);
      if (removed) this.logger.log({ removed, days }, 'Pruned old webhook deliveries');
    } catch (err) {
      this.logger.warn({ err }, 'Pruning webhook deliveries failed');
    }
  }

  /** Waits `ms`, or less when the process stops. */
  private pause(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.shutdown.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.shutdown.signal.addEventListener('abort', done, { once: true });
    });
  }

  private sleep(ms: number): Promise<void> {
    return this.stopping ? Promise.resolve() : this.wakeup.sleep(ms);
  }
}

/** One worker's turn at a subscription. */
interface WorkerRun {
  webhook: WebhookEntity;
  formatter: NonNullable<ReturnType<WebhookFormats['find']>>;
  log: AttemptLog;
  /** When the worker gives the subscription back (time slice). */
  sliceEnd: number;
  /** Set when the worker must stop every lane (slice over, webhook deactivated or deleted, a failed write). */
  halted: boolean;
}

/** Items grouped by key, in first-seen key order, each group in input order. */
function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * The attempt records of one worker, written in order with at most one statement in flight:
 * attempts that finish while a write is running go into the next write together.
 */
class AttemptLog {
  /** Failed attempts in a row on the subscription, as of the last attempt added. */
  consecutiveFailures: number;
  /** False once a write failed or found its deliveries gone (the webhook was deleted). */
  healthy = true;
  /** True once a write found the webhook deactivated: the worker stops, its queue waits for reactivation. */
  paused = false;
  private queue: RecordedAttempt[] = [];
  private writing: Promise<void> | null = null;
  private inFlight = 0;
  /** The failure streak as of the last attempt written. */
  private writtenStreak: number;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly webhook: WebhookEntity,
    private readonly logger: Logger,
  ) {
    this.consecutiveFailures = webhook.consecutiveFailures;
    this.writtenStreak = webhook.consecutiveFailures;
  }

  add(delivery: WebhookDeliveryEntity, result: AttemptResult, outcome: AttemptOutcome): void {
    this.consecutiveFailures = result.ok ? 0 : this.consecutiveFailures + 1;
    this.queue.push({ deliveryId: delivery.id, result, outcome });
    this.log(delivery, result, outcome);
    if (!this.writing) this.writing = this.writeLoop();
  }

  /** Attempts added and not yet written. */
  get unwritten(): number {
    return this.queue.length + this.inFlight;
  }

  /** Resolves once everything added so far is written; false if the worker should stop. */
  async flushed(): Promise<boolean> {
    while (this.writing) await this.writing;
    return this.healthy && !this.paused;
  }

  private async writeLoop(): Promise<void> {
    while (this.queue.length && this.healthy) {
      const batch = this.queue.splice(0, MAX_RECORD_BATCH);
      this.inFlight = batch.length;
      const failed = batch.filter((a) => !a.result.ok);
      for (const a of batch) this.writtenStreak = a.result.ok ? 0 : this.writtenStreak + 1;
      try {
        const { recorded, active } = await this.repo.recordAttempts(this.webhook.id, batch, {
          consecutiveFailures: this.writtenStreak,
          succeeded: failed.length < batch.length,
          failed: failed.length > 0,
          lastError: failed.at(-1)?.result.error ?? null,
        });
        if (recorded < batch.length) this.healthy = false;
        // Attempts already made are still written (so none is sent twice); only new ones stop.
        if (!active) this.paused = true;
      } catch (err) {
        this.logger.error({ err, webhookId: this.webhook.id }, 'Recording webhook attempts failed');
        this.healthy = false;
      }
      this.inFlight = 0;
    }
    this.writing = null;
  }

  private log(delivery: WebhookDeliveryEntity, result: AttemptResult, outcome: AttemptOutcome): void {
    const ctx = { webhookId: this.webhook.id, deliveryId: delivery.id, eventId: delivery.eventId, attempt: delivery.attempts + 1 };
    if (outcome.status === DeliveryStatus.FAILED) {
      this.logger.warn({ ...ctx, statusCode: result.statusCode, error: result.error }, 'Webhook delivery given up');
    } else if (outcome.status === DeliveryStatus.PENDING) {
      this.logger.debug({ ...ctx, statusCode: result.statusCode, error: result.error, retryAt: outcome.nextAttemptAt }, 'Webhook attempt failed');
    } else {
      this.logger.log({ ...ctx, statusCode: result.statusCode, durationMs: result.durationMs }, 'Webhook delivered');
    }
  }
}
