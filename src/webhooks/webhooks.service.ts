import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AppError, ForbiddenError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { SessionAccess } from '../sessions/session-access';
import { SessionResolver } from '../sessions/session-resolver';
import type { DeliveryDetailDto, DeliveryDto, ListDeliveriesQueryDto } from './dto/delivery.dto';
import type { CreateWebhookDto, ListWebhooksQueryDto, UpdateWebhookDto, WebhookDto } from './dto/webhook.dto';
import type { WebhookEntity } from './entities/webhook.entity';
import { EventPublisher } from './event-publisher';
import { WebhookFormats } from './formats/webhook-formats';
import { TEST_PING_EVENT } from './formats/webhook-formatter';
import type { WebhookFormatter } from './formats/webhook-formatter';
import { WebhookDispatcher } from './webhook-dispatcher';
import { ALL_EVENTS, type WebhookEventInput } from './webhook-events';
import { WebhookTargets } from './webhook-targets';
import { toDeliveryDetailDto, toDeliveryDto, toWebhookDto } from './webhook.mapper';
import { WebhooksRepository, type WebhookHealthSummary } from './webhooks.repository';
import { decodeSeqCursor, encodeSeqCursor } from '../common/utils/seq-cursor';

export type { WebhookHealthSummary };

/**
 * Webhook subscriptions and the publishing side of their deliveries: who may manage which
 * webhook, which subscriptions an event goes to, and the delivery rows it becomes.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly formats: WebhookFormats,
    private readonly access: SessionAccess,
    private readonly resolver: SessionResolver,
    private readonly dispatcher: WebhookDispatcher,
    private readonly publisher: EventPublisher,
    private readonly targets: WebhookTargets,
  ) {}

  // ------------------------------------------------------------ publishing

  /**
   * Records one event: its outbox row (the live stream's source) and one delivery row per
   * matching active subscription (per item for formats that post items separately), holding
   * the exact body every attempt will send. All copies share one event id (`evt_<uuid>`).
   *
   * With `manager`, the rows are written in that manager's transaction: they exist exactly
   * when the caller's own writes do, and the dispatcher and live stream hear of the event only
   * after the commit. Without one, they are written in a transaction of their own. Not
   * idempotent: each call is a new event. Rejects when the database write fails (inside a
   * transaction, the caller's transaction fails with it).
   */
  publish(event: WebhookEventInput, manager?: EntityManager): Promise<void> {
    return this.publisher.publish(event, manager);
  }

  /** Subscriptions of `sessionIds` (all when null) and how their deliveries fare (the dashboard). */
  healthSummary(sessionIds: string[] | null): Promise<WebhookHealthSummary> {
    return this.repo.healthSummary(sessionIds);
  }

  /** Deliveries waiting to go out over all subscriptions, and the oldest one's age (metrics). */
  backlog(): Promise<{ pending: number; oldestPendingSeconds: number }> {
    return this.repo.backlog();
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
    const sessionIds = await this.access.visibleSessionIds(principal, query.sessionId);
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
   * The device-token gateway's `POST /api/webhook {token, url}`: the session named by `token` gets one
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

  /**
   * Queues one test delivery (`webhook.test`, in the webhook's format, signed like any other)
   * through the webhook's own queue: it is retried, logged and redeliverable like the rest.
   * @throws AppError WEBHOOK_NOT_FOUND, WEBHOOK_INACTIVE, ForbiddenError
   */
  async sendTest(principal: Principal, id: string): Promise<DeliveryDetailDto> {
    const webhook = await this.getOwned(principal, id);
    if (!webhook.active) {
      throw new AppError(ErrorCode.WEBHOOK_INACTIVE, 'The webhook is paused (active: false); activate it to send a test', { webhookId: webhook.id });
    }
    const eventId = `evt_${randomUUID()}`;
    const ping = { eventId, webhookId: webhook.id, sessionId: webhook.sessionId, createdAt: new Date().toISOString() };
    const body = this.formats.find(webhook.format)?.testPing?.(ping);
    if (body === undefined) {
      const message = `Format "${webhook.format}" has no test delivery`;
      throw new AppError(ErrorCode.VALIDATION_FAILED, message, { fields: [{ field: 'format', messages: [message] }] });
    }
    const delivery = await this.repo.insertDelivery({ webhookId: webhook.id, eventId, eventType: TEST_PING_EVENT, sessionId: webhook.sessionId, body });
    this.dispatcher.notify();
    this.logger.log({ webhookId: webhook.id, deliveryId: delivery.id }, 'Webhook test delivery queued');
    return toDeliveryDetailDto(delivery, []);
  }

  // ------------------------------------------------------------ helpers

  private async getOwned(principal: Principal, id: string): Promise<WebhookEntity> {
    const webhook = await this.repo.findById(id);
    if (!webhook) throw new AppError(ErrorCode.WEBHOOK_NOT_FOUND, `Webhook '${id}' was not found`, { webhookId: id });
    if (isScoped(principal)) {
      if (!webhook.sessionId) throw new ForbiddenError('A session- or workspace-bound token may not manage global webhooks');
      const session = await this.resolver.findEntity(webhook.sessionId);
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
    const session = await this.access.authorize(principal, ref);
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
