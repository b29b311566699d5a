import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MessagesService } from '../messages/messages.service';
import { SessionStatus } from '../sessions/session-status';
import { SessionsService } from '../sessions/sessions.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { METRIC_PREFIX } from './metric-names';
import { MetricsService } from './metrics.service';

/**
 * Gauges of shared state, read from the database when Prometheus scrapes: sessions by status,
 * the send queue's depth and oldest waiting message, the webhook backlog. Each is one small
 * aggregate over indexed rows (the session table, the queue's and the backlog's partial
 * indexes), never over the message history. Every replica reports the same figures: use max().
 * A failed read keeps the last values and counts `switchboard_metrics_collect_errors_total`.
 */
@Injectable()
export class MetricsCollectors {
  private readonly logger = new Logger(MetricsCollectors.name);

  constructor(metrics: MetricsService, sessions: SessionsService, messages: MessagesService, webhooks: WebhooksService) {
    const registers = [metrics.registry];
    const errors = new Counter({
      name: `${METRIC_PREFIX}metrics_collect_errors_total`,
      help: 'Scrapes whose database read of a gauge failed (the gauge kept its last value), by source',
      labelNames: ['source'] as const,
      registers,
    });
    const guarded = async (source: string, read: () => Promise<void>) => {
      try {
        await read();
      } catch (err) {
        errors.inc({ source });
        this.logger.warn({ err, source }, 'Reading a metric failed');
      }
    };
    for (const source of ['sessions', 'queue', 'webhooks']) errors.inc({ source }, 0);

    new Gauge({
      name: `${METRIC_PREFIX}sessions`,
      help: 'Sessions by status (cluster-wide, from the database)',
      labelNames: ['status'] as const,
      registers,
      async collect() {
        await guarded('sessions', async () => {
          const counts = await sessions.statusCounts(null);
          for (const status of new Set([...Object.values(SessionStatus), ...Object.keys(counts)])) this.set({ status }, counts[status] ?? 0);
        });
      },
    });

    // One read serves both queue gauges of a scrape.
    let queueRead: Promise<Awaited<ReturnType<MessagesService['queueFigures']>>> | null = null;
    const queueFigures = () => (queueRead ??= messages.queueFigures().finally(() => setImmediate(() => (queueRead = null))));
    new Gauge({
      name: `${METRIC_PREFIX}queue_depth`,
      help: 'Outbound messages in the send queue by state: queued (waiting to be sent), held (waiting for an opt-in answer), sending',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        await guarded('queue', async () => {
          const q = await queueFigures();
          this.set({ state: 'queued' }, q.queued);
          this.set({ state: 'held' }, q.held);
          this.set({ state: 'sending' }, q.sending);
        });
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}queue_oldest_age_seconds`,
      help: 'Age of the oldest message waiting to be sent (queued, not held); 0 when none',
      registers,
      async collect() {
        await guarded('queue', async () => this.set((await queueFigures()).oldestQueuedSeconds));
      },
    });

    let backlogRead: Promise<{ pending: number; oldestPendingSeconds: number }> | null = null;
    const backlog = () => (backlogRead ??= webhooks.backlog().finally(() => setImmediate(() => (backlogRead = null))));
    new Gauge({
      name: `${METRIC_PREFIX}webhook_backlog`,
      help: 'Webhook deliveries waiting to go out (pending, including ones in backoff)',
      registers,
      async collect() {
        await guarded('webhooks', async () => this.set((await backlog()).pending));
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}webhook_backlog_oldest_age_seconds`,
      help: 'Age of the oldest pending webhook delivery; 0 when none',
      registers,
      async collect() {
        await guarded('webhooks', async () => this.set((await backlog()).oldestPendingSeconds));
      },
    });
  }
}
