import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventOutbox, OutboxEventInput } from '../events/event-outbox';
import { OutboxSignal } from '../events/outbox-signal';
import { AfterCommit } from './after-commit';
import { EventOutboxRepository } from './event-outbox.repository';
import { serializeEnvelope } from './formats/native.formatter';
import { WebhookFormats } from './formats/webhook-formats';
import { WebhookDispatcher } from './webhook-dispatcher';
import { ALL_EVENTS, isWebhookEventType, orderKeyOf, type WebhookEnvelope } from './webhook-events';
import { WebhooksRepository, type NewDelivery } from './webhooks.repository';

/**
 * The transactional outbox. Every event becomes one `event_outbox` row (what the live stream
 * tails and replays) and one delivery row per matching webhook subscription, all written with
 * the producer's EntityManager: they exist exactly when the producer's own writes do. The
 * dispatcher and the live stream are woken after the commit. Bound globally as
 * `EVENT_OUTBOX`; depends on nothing that depends on producers, so any module may use it.
 */
@Injectable()
export class EventPublisher implements EventOutbox {
  private readonly logger = new Logger(EventPublisher.name);

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly outbox: EventOutboxRepository,
    private readonly formats: WebhookFormats,
    private readonly dispatcher: WebhookDispatcher,
    private readonly afterCommit: AfterCommit,
    private readonly signal: OutboxSignal,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  publish(event: OutboxEventInput, manager?: EntityManager): Promise<void> {
    return this.publishAll([event], manager);
  }

  /**
   * Not idempotent: each call is a new event (`evt_<uuid>`, shared by every copy). Rejects
   * when the database write fails (inside a transaction, the caller's transaction fails with it).
   */
  async publishAll(events: OutboxEventInput[], manager?: EntityManager): Promise<void> {
    if (!events.length) return;
    for (const e of events) {
      if (!isWebhookEventType(e.type)) throw new Error(`Unknown webhook event type '${String(e.type)}'`);
    }
    if (!manager) {
      await this.dataSource.transaction((tx) => this.publishAll(events, tx));
      return;
    }
    const envelopes: WebhookEnvelope[] = events.map((e) => ({
      id: `evt_${randomUUID()}`,
      event: e.type as WebhookEnvelope['event'],
      sessionId: e.sessionId,
      createdAt: new Date(e.at ?? Date.now()).toISOString(),
      data: e.data,
    }));
    const bySession = new Map<string, WebhookEnvelope[]>();
    for (const env of envelopes) {
      const list = bySession.get(env.sessionId);
      if (list) list.push(env);
      else bySession.set(env.sessionId, [env]);
    }
    const deliveries: NewDelivery[] = [];
    for (const [sessionId, list] of bySession) {
      const types = new Set(list.map((e) => e.event));
      const subscriptions = await this.repo.findMatching(manager, sessionId, [...types]);
      if (!subscriptions.length) continue;
      for (const format of new Set(subscriptions.map((s) => s.format))) {
        const formatter = this.formats.find(format);
        if (formatter?.prepare && formatter.events.some((t) => types.has(t))) await formatter.prepare(sessionId, manager);
      }
      for (const envelope of list) {
        for (const sub of subscriptions) {
          if (!sub.events.includes(ALL_EVENTS) && !sub.events.includes(envelope.event)) continue;
          const formatter = this.formats.find(sub.format);
          if (!formatter) {
            this.logger.warn({ webhookId: sub.id, format: sub.format }, 'Webhook format not available; event skipped for this webhook');
            continue;
          }
          if (!formatter.events.includes(envelope.event)) continue;
          for (const payload of formatter.format(envelope, sub)) {
            deliveries.push({ webhookId: sub.id, eventId: envelope.id, eventType: envelope.event, sessionId, orderKey: orderKeyOf(envelope), body: payload.body });
          }
        }
      }
    }
    await this.outbox.insert(
      manager,
      envelopes.map((e) => ({ eventId: e.id, type: e.event, sessionId: e.sessionId, envelope: serializeEnvelope(e) })),
    );
    // Deliveries keep their per-subscription order by event: sort by envelope position.
    if (deliveries.length) {
      const order = new Map(envelopes.map((e, i) => [e.id, i]));
      deliveries.sort((a, b) => order.get(a.eventId)! - order.get(b.eventId)!);
      await this.repo.insertDeliveries(manager, deliveries);
    }
    const wakeDispatcher = deliveries.length > 0;
    this.afterCommit.run(manager, () => {
      this.signal.committed();
      if (wakeDispatcher) this.dispatcher.notify();
    });
  }
}
