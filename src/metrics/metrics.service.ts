import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { EventBus } from '../events/event-bus';
import {
  LEASE_TAKEOVER_REASONS,
  type LeaseTakeoverReason,
  messageStatusLabel,
  messageTypeLabel,
  methodLabel,
  METRIC_PREFIX,
  statusClass,
  WEBHOOK_OUTCOMES,
  type WebhookOutcome,
} from './metric-names';

/** The route label of a request no route matched (404s, static files, docs). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Seconds: API calls are milliseconds, a slow media upload may take seconds. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds from accepted to sent: pacing and retries make this minutes at worst. */
const SEND_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

/**
 * The process's Prometheus registry and the metrics other modules feed.
 *
 * Counters and histograms count what happened in this process (each event is counted once,
 * by the replica where it happened), so across replicas they add up: `sum(rate(…))`. Message
 * counters come from the in-process event bus (`message.accepted`, `message.status`,
 * `message.received`), the HTTP histogram from `httpMetrics()`, webhook attempts from the
 * dispatcher's one call to `webhookAttempt()`, lease takeovers from `sessionLeaseTakenOver()`.
 * Gauges of shared state (sessions, queue, webhook backlog) are read from the database on
 * scrape by `MetricsCollectors` and are the same on every replica: aggregate them with max().
 *
 * One registry per application instance (not prom-client's global one), so several apps in
 * one process (tests) do not share series.
 */
@Injectable()
export class MetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'HTTP request duration by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  private readonly messages = new Counter({
    name: `${METRIC_PREFIX}messages_total`,
    help: 'Messages by direction, type and the status they reached (outbound: QUEUED when accepted or resent, then SENT, DELIVERED, READ, PLAYED, FAILED, EXPIRED, CANCELED, OPTED_OUT; inbound: RECEIVED)',
    labelNames: ['direction', 'type', 'status'] as const,
    registers: [this.registry],
  });

  private readonly sendLatency = new Histogram({
    name: `${METRIC_PREFIX}message_send_latency_seconds`,
    help: 'Time from a message being accepted into the queue to WhatsApp taking it (SENT), by type',
    labelNames: ['type'] as const,
    buckets: SEND_LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly webhookDeliveries = new Counter({
    name: `${METRIC_PREFIX}webhook_deliveries_total`,
    help: 'Webhook delivery attempts by outcome: delivered, retry (failed, will be retried), failed (given up)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly leaseTakeovers = new Counter({
    name: `${METRIC_PREFIX}session_lease_takeovers_total`,
    help: "Sessions this replica took over from another replica's lease, by reason: expired (owner stopped renewing), handover (owner released it on shutdown), rebalance",
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private unsubscribe: (() => void)[] = [];

  constructor(private readonly bus: EventBus) {
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX, eventLoopMonitoringPrecision: 10 });
    // Series that exist from the start, so rate() and absent() see them before the first event.
    for (const outcome of WEBHOOK_OUTCOMES) this.webhookDeliveries.inc({ outcome }, 0);
    for (const reason of LEASE_TAKEOVER_REASONS) this.leaseTakeovers.inc({ reason }, 0);
  }

  onApplicationBootstrap(): void {
    this.unsubscribe.push(
      this.bus.on('message.accepted', (e) => this.messages.inc({ direction: 'outbound', type: messageTypeLabel(e.messageType), status: 'QUEUED' })),
      this.bus.on('message.status', (e) => {
        const type = messageTypeLabel(e.messageType);
        this.messages.inc({ direction: 'outbound', type, status: messageStatusLabel(e.status) });
        if (e.status === 'SENT' && e.acceptedAt) {
          const seconds = (Date.parse(e.at) - Date.parse(e.acceptedAt)) / 1000;
          if (Number.isFinite(seconds) && seconds >= 0) this.sendLatency.observe({ type }, seconds);
        }
      }),
      this.bus.on('message.received', (e) => {
        const type = (e.data as { message?: { type?: unknown } }).message?.type;
        this.messages.inc({ direction: 'inbound', type: messageTypeLabel(type), status: 'RECEIVED' });
      }),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe.forEach((off) => off());
    this.unsubscribe = [];
  }

  /** The exposition text (Prometheus text format 0.0.4); gauges are collected now. */
  async scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Called by the webhook dispatcher once per delivery attempt. */
  webhookAttempt(outcome: WebhookOutcome): void {
    this.webhookDeliveries.inc({ outcome });
  }

  /**
   * Called by the session lease code when this replica takes a session over from another
   * replica (never when it claims a session nobody held).
   */
  sessionLeaseTakenOver(reason: LeaseTakeoverReason = 'expired'): void {
    this.leaseTakeovers.inc({ reason });
  }

  /**
   * Express middleware (mounted first) timing every request. The route label is the route's
   * pattern (`/api/sessions/:id`), never the raw path, so series stay bounded; requests no
   * route answered are `unmatched`.
   */
  httpMetrics(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const started = performance.now();
      // Emitted once per response: a plain listener, no once-wrapper per request.
      res.on('close', () => {
        const route = (req as Request & { route?: { path?: unknown } }).route?.path;
        this.httpDuration.observe(
          {
            method: methodLabel(req.method),
            route: typeof route === 'string' ? route : UNMATCHED_ROUTE,
            status_class: res.writableFinished ? statusClass(res.statusCode) : 'aborted',
          },
          (performance.now() - started) / 1000,
        );
      });
      next();
    };
  }
}
