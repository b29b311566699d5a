import { randomBytes, randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AppError, ForbiddenError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { EventBus } from '../events/event-bus';
import { SessionRegistry } from '../sessions/session-registry';
import { AfterCommit } from './after-commit';
import type { DeliveryDetailDto, DeliveryDto, ListDeliveriesQueryDto } from './dto/delivery.dto';
import type { CreateWebhookDto, ListWebhooksQueryDto, UpdateWebhookDto, WebhookDto } from './dto/webhook.dto';
import type { WebhookEntity } from './entities/webhook.entity';
import { EventStreamService } from './event-stream.service';
import { serializeEnvelope } from './formats/native.formatter';
import { WebhookFormats } from './formats/webhook-formats';
import type { WebhookFormatter } from './formats/webhook-formatter';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookTargets } from './webhook-targets';
import {
  ALL_EVENTS,
  BUS_SOURCED_EVENTS,
  fromDomainEvent,
  isWebhookEventType,
  type WebhookEnvelope,
  type WebhookEventInput,
} from './webhook-events';
import { toDeliveryDetailDto, toDeliveryDto, toWebhookDto } from './webhook.mapper';
import { WebhooksRepository, type NewDelivery } from './webhooks.repository';
import { decodeSeqCursor, encodeSeqCursor } from '../common/utils/seq-cursor';

/** Most bus events recorded in one statement. */
const BUS_BATCH = 500;

/**
 * Webhook subscriptions and the publishing side of their deliveries: who may manage which
 * webhook, which subscriptions an event goes to, and the delivery rows it becomes.
 */
@Injectable()
export class WebhooksService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhooksService.name);
  private unsubscribe?: () => void;
  /** Bus events waiting to be recorded, per session; a session's events are recorded in order. */
  private readonly buffers = new Map<string, WebhookEventInput[]>();
  private readonly drains = new Map<string, Promise<void>>();

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly formats: WebhookFormats,
    private readonly registry: SessionRegistry,
    private readonly dispatcher: WebhookDispatcher,
    private readonly stream: EventStreamService,
    private readonly afterCommit: AfterCommit,
    private readonly bus: EventBus,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly targets: WebhookTargets,
  ) {}

  onApplicationBootstrap(): void {
    const fromBus = new Set<string>(BUS_SOURCED_EVENTS);
    this.unsubscribe = this.bus.onAny((domainEvent) => {
      if (!fromBus.has(domainEvent.type)) return;
      const event = fromDomainEvent(domainEvent);
      if (event) this.enqueue(event);
    });
  }

  /**
   * Bus events of the sessions closing (onModuleDestroy) are still recorded: this drains in
   * the next phase, before the database closes (onApplicationShutdown).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all(this.drains.values());
  }

  // ------------------------------------------------------------ publishing

  /**
   * Records one event for every active subscription that wants it: one delivery row per
   * subscription (per item for formats that post items separately), holding the exact body
   * every attempt will send. All copies share one event id (`evt_<uuid>`).
   *
   * With `manager`, the rows are written in that manager's transaction: they exist exactly
   * when the caller's own writes do, and the dispatcher and live stream hear of the event only
   * after the commit. Without one, they are written at once. Not idempotent: each call is a
   * new event. Rejects when the database write fails (inside a transaction, the caller's
   * transaction fails with it).
   */
  async publish(event: WebhookEventInput, manager?: EntityManager): Promise<void> {
    await this.publishAll(event.sessionId, [event], manager);
  }

  /** `publish()` for several events of one session, in order, with one read and one write. */
  private async publishAll(sessionId: string, events: WebhookEventInput[], manager?: EntityManager): Promise<void> {
    for (const e of events) {
      if (!isWebhookEventType(e.type)) throw new Error(`Unknown webhook event type '${String(e.type)}'`);
      if (e.sessionId !== sessionId) throw new Error('publishAll takes events of one session');
    }
    const envelopes: WebhookEnvelope[] = events.map((e) => ({
      id: `evt_${randomUUID()}`,
      event: e.type,
      sessionId: e.sessionId,
      createdAt: new Date(e.at ?? Date.now()).toISOString(),
      data: e.data,
    }));
    const m = manager ?? this.dataSource.manager;
    const subscriptions = await this.repo.findMatching(m, sessionId, [...new Set(events.map((e) => e.type))]);
    const rows: NewDelivery[] = [];
    for (const envelope of envelopes) {
      for (const sub of subscriptions) {
        if (!sub.events.includes(ALL_EVENTS) && !sub.events.includes(envelope.event)) continue;
        const formatter = this.formats.find(sub.format);
        if (!formatter) {
          this.logger.warn({ webhookId: sub.id, format: sub.format }, 'Webhook format not available; event skipped for this webhook');
          continue;
        }
        if (!formatter.events.includes(envelope.event)) continue;
        for (const payload of formatter.format(envelope, sub)) {
          rows.push({ webhookId: sub.id, eventId: envelope.id, eventType: envelope.event, sessionId, body: payload.body });
        }
      }
    }
    await this.repo.insertDeliveries(m, rows);
    this.afterCommit.run(manager, () => {
      for (const envelope of envelopes) this.stream.broadcast(envelope, serializeEnvelope(envelope));
      if (rows.length) this.dispatcher.notify();
    });
  }

  /**
   * Bus events are buffered per session and recorded in order; whatever arrives while a
   * batch is being written goes into the next one, so a burst costs a few round trips.
   */
  private enqueue(event: WebhookEventInput): void {
    const key = event.sessionId;
    const buffered = this.buffers.get(key);
    if (buffered) {
      buffered.push(event);
      return;
    }
    this.buffers.set(key, [event]);
    const drain = (async () => {
      for (;;) {
        const batch = this.buffers.get(key)!.splice(0, BUS_BATCH);
        if (!batch.length) break;
        try {
          await this.publishAll(key, batch);
        } catch (err) {
          this.logger.error({ err, sessionId: key, events: batch.length }, 'Recording webhook events failed');
        }
      }
      this.buffers.delete(key);
      this.drains.delete(key);
    })();
    this.drains.set(key, drain);
  }

  // ------------------------------------------------------------ subscriptions

  /**
   * Creates a subscription. A session- or workspace-bound token may only create webhooks
   * bound to a session it may act on.
   * @returns the webhook and its secret (the only time the secret is shown)
   * @throws AppError VALIDATION_FAILED, SessionNotFoundError, ForbiddenError
   */
  async create(principal: Principal, dto: CreateWebhookDto): Promise<WebhookDto> {
    const sessionId = await this.resolveSession(principal, dto.sessionId ?? null);
    const formatter = this.formats.get(dto.format ?? 'native');
    const events = this.normalizeEvents(formatter, dto.events, dto.services) ?? [ALL_EVENTS];
    const url = validateUrl(dto.url);
    // Who sets the URL decides where it may be delivered (see WebhookTargets).
    const restricted = isScoped(principal);
    this.targets.assertAllowed(url, restricted);
    const secret = dto.secret ?? generateSecret();
    const options = await formatter.setup({ url, secret, sessionId, events, verifyToken: dto.verifyToken, transport: this.targets.transport(restricted) });
    const webhook = await this.repo.insert({
      url,
      events,
      sessionId,
      format: formatter.name,
      options,
      secret,
      description: dto.description ?? null,
      active: dto.active ?? true,
      restricted,
    });
    this.logger.log({ webhookId: webhook.id, sessionId, format: webhook.format, events }, 'Webhook created');
    return { ...toWebhookDto(webhook, { pending: 0, failed: 0 }), secret };
  }

  /** Oldest first, with health. A session- or workspace-bound token sees only its sessions' webhooks. */
  async list(principal: Principal, query: ListWebhooksQueryDto): Promise<WebhookDto[]> {
    const sessionIds = await this.registry.visibleSessionIds(principal, query.sessionId);
    if (sessionIds && !sessionIds.length) return [];
    const rows = await this.repo.list(sessionIds);
    const counts = await this.repo.healthCounts(rows.map((w) => w.id));
    return rows.map((w) => toWebhookDto(w, counts.get(w.id) ?? { pending: 0, failed: 0 }));
  }

  /** @throws AppError WEBHOOK_NOT_FOUND, ForbiddenError */
  async get(principal: Principal, id: string): Promise<WebhookDto> {
    const webhook = await this.getOwned(principal, id);
    const counts = await this.repo.healthCounts([webhook.id]);
    return toWebhookDto(webhook, counts.get(webhook.id) ?? { pending: 0, failed: 0 });
  }

  /**
   * Changes a subscription. The format cannot change (pending bodies are already in it).
   * @throws AppError WEBHOOK_NOT_FOUND, VALIDATION_FAILED, SessionNotFoundError, ForbiddenError
   */
  async update(principal: Principal, id: string, dto: UpdateWebhookDto): Promise<WebhookDto> {
    const webhook = await this.getOwned(principal, id);
    const formatter = this.formats.get(webhook.format);
    const patch: Parameters<WebhooksRepository['update']>[1] = {};
    if (dto.url !== undefined) {
      patch.url = validateUrl(dto.url);
      patch.restricted = isScoped(principal);
      this.targets.assertAllowed(patch.url, patch.restricted);
    }
    const events = this.normalizeEvents(formatter, dto.events, dto.services);
    if (events) patch.events = events;
    if (dto.sessionId !== undefined) patch.sessionId = await this.resolveSession(principal, dto.sessionId);
    if (dto.secret !== undefined) patch.secret = dto.secret;
    if (dto.description !== undefined) patch.description = dto.description;
    if (dto.active !== undefined) patch.active = dto.active;
    if (patch.url !== undefined || patch.secret !== undefined || patch.sessionId !== undefined) {
      patch.options = await formatter.setup({
        url: patch.url ?? webhook.url,
        secret: patch.secret ?? webhook.secret,
        sessionId: patch.sessionId !== undefined ? patch.sessionId : webhook.sessionId,
        events: patch.events ?? webhook.events,
        verifyToken: webhook.options.verifyToken as string | undefined,
        transport: this.targets.transport(patch.restricted ?? webhook.restricted),
      });
    }
    const updated = (await this.repo.update(webhook.id, patch)) ?? webhook;
    if (patch.active) this.dispatcher.notify();
    const counts = await this.repo.healthCounts([updated.id]);
    return toWebhookDto(updated, counts.get(updated.id) ?? { pending: 0, failed: 0 });
  }

  /** Deletes a subscription with its deliveries and their log. @throws AppError WEBHOOK_NOT_FOUND, ForbiddenError */
  async remove(principal: Principal, id: string): Promise<void> {
    const webhook = await this.getOwned(principal, id);
    await this.repo.delete(webhook.id);
    this.logger.log({ webhookId: webhook.id }, 'Webhook deleted');
  }

  /**
   * Seed 004's `POST /api/webhook {token, url}`: the session named by `token` gets one
   * webhook for every event at `url`, created on first use and re-pointed afterwards
   * (pending deliveries follow it to the new URL). Idempotent.
   * @throws SessionNotFoundError, ForbiddenError, AppError VALIDATION_FAILED
   */
  async setDeviceWebhook(principal: Principal, token: string, url: string): Promise<{ webhook: WebhookDto; created: boolean }> {
    const sessionId = await this.resolveSession(principal, token);
    const restricted = isScoped(principal);
    this.targets.assertAllowed(validateUrl(url), restricted);
    const { webhook, created } = await this.repo.upsertDevice(sessionId!, url, generateSecret(), restricted);
    this.dispatcher.notify();
    const counts = await this.repo.healthCounts([webhook.id]);
    return { webhook: toWebhookDto(webhook, counts.get(webhook.id) ?? { pending: 0, failed: 0 }), created };
  }

  // ------------------------------------------------------------ delivery log

  /** Newest first. @throws AppError WEBHOOK_NOT_FOUND, VALIDATION_FAILED (bad cursor), ForbiddenError */
  async listDeliveries(principal: Principal, id: string, query: ListDeliveriesQueryDto): Promise<{ deliveries: DeliveryDto[]; nextCursor: string | null; limit: number }> {
    const webhook = await this.getOwned(principal, id);
    const limit = query.limit ?? 50;
    const beforeSeq = query.cursor ? decodeSeqCursor('d', query.cursor) : undefined;
    const rows = await this.repo.listDeliveries({ webhookId: webhook.id, status: query.status, beforeSeq, limit });
    const nextCursor = rows.length === limit ? encodeSeqCursor('d', rows[rows.length - 1].seq) : null;
    return { deliveries: rows.map(toDeliveryDto), nextCursor, limit };
  }

  /** One delivery with its body and every attempt. @throws AppError WEBHOOK_NOT_FOUND, DELIVERY_NOT_FOUND, ForbiddenError */
  async getDelivery(principal: Principal, id: string, deliveryId: string): Promise<DeliveryDetailDto> {
    const webhook = await this.getOwned(principal, id);
    const delivery = await this.repo.findDelivery(webhook.id, deliveryId);
    if (!delivery) throw deliveryNotFound(deliveryId);
    return toDeliveryDetailDto(delivery, await this.repo.attemptsOf(delivery.id));
  }

  /**
   * Queues a delivery again, due now, with a fresh retry budget: works for FAILED and
   * DELIVERED ones, and retries a pending one at once. The body is the original one.
   * @throws AppError WEBHOOK_NOT_FOUND, DELIVERY_NOT_FOUND, ForbiddenError
   */
  async redeliver(principal: Principal, id: string, deliveryId: string): Promise<DeliveryDetailDto> {
    const webhook = await this.getOwned(principal, id);
    const delivery = await this.repo.redeliver(webhook.id, deliveryId);
    if (!delivery) throw deliveryNotFound(deliveryId);
    this.dispatcher.notify();
    return toDeliveryDetailDto(delivery, await this.repo.attemptsOf(delivery.id));
  }

  // ------------------------------------------------------------ helpers

  private async getOwned(principal: Principal, id: string): Promise<WebhookEntity> {
    const webhook = await this.repo.findById(id);
    if (!webhook) throw new AppError(ErrorCode.WEBHOOK_NOT_FOUND, `Webhook '${id}' was not found`, { webhookId: id });
    if (isScoped(principal)) {
      if (!webhook.sessionId) throw new ForbiddenError('A session- or workspace-bound token may not manage global webhooks');
      const session = await this.registry.findEntity(webhook.sessionId);
      principal.assertSession(webhook.sessionId, session?.settings.workspace ?? null);
    }
    return webhook;
  }

  /**
   * A session reference → its id, checked against the caller's binding. Null (a global
   * webhook) needs a credential bound to no session or workspace.
   */
  private async resolveSession(principal: Principal, ref: string | null): Promise<string | null> {
    if (ref === null) {
      if (isScoped(principal)) throw new ForbiddenError('A session- or workspace-bound token may not manage global webhooks; pass a sessionId');
      return null;
    }
    const session = await this.registry.authorize(principal, ref);
    return session.id;
  }

  /** `events` ∪ `services`, de-duplicated; `*` alone when present. Null when neither is given. */
  private normalizeEvents(formatter: WebhookFormatter, events?: string[], services?: string[]): string[] | null {
    if (!events && !services) return null;
    const all = [...new Set([...(events ?? []), ...(services ?? [])])];
    if (all.includes(ALL_EVENTS)) return [ALL_EVENTS];
    const unsupported = all.filter((e) => !formatter.events.includes(e as never));
    if (unsupported.length) {
      const message = `Format "${formatter.name}" cannot carry: ${unsupported.join(', ')}`;
      throw new AppError(ErrorCode.VALIDATION_FAILED, message, { fields: [{ field: 'events', messages: [message] }] });
    }
    return all;
  }
}

/** Bound to a session or a workspace: may not see or create global webhooks. */
function isScoped(principal: Principal): boolean {
  return principal.sessionId !== null || principal.workspace !== null;
}

function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/**
 * Only http(s) and a parsable URL here; which addresses it may reach depends on who sets it
 * (WebhookTargets: literal IPs at once, hostnames at delivery).
 */
function validateUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidUrl('url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidUrl('url must be an http:// or https:// URL');
  if (!url.hostname) throw invalidUrl('url has no host');
  if (url.username || url.password) throw invalidUrl('url must not contain credentials; put a token in the path or query');
  return raw;
}

function invalidUrl(message: string): AppError {
  return new AppError(ErrorCode.VALIDATION_FAILED, message, { fields: [{ field: 'url', messages: [message] }] });
}

function deliveryNotFound(id: string): AppError {
  return new AppError(ErrorCode.DELIVERY_NOT_FOUND, `Delivery '${id}' was not found`, { deliveryId: id });
}
