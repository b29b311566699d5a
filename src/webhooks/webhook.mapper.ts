import type { DeliveryAttemptDto, DeliveryDetailDto, DeliveryDto } from './dto/delivery.dto';
import type { WebhookDto } from './dto/webhook.dto';
import type { WebhookDeliveryAttemptEntity } from './entities/webhook-delivery-attempt.entity';
import { DeliveryStatus, type WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import type { WebhookEntity } from './entities/webhook.entity';
import type { WebhookHealthCounts } from './webhooks.repository';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** The API view of a subscription; the secret and lease columns never leave through here. */
export function toWebhookDto(w: WebhookEntity, counts?: WebhookHealthCounts): WebhookDto {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    sessionId: w.sessionId,
    format: w.format,
    description: w.description,
    active: w.active,
    origin: w.origin,
    restricted: w.restricted,
    createdAt: iso(w.createdAt)!,
    updatedAt: iso(w.updatedAt)!,
    ...(counts
      ? {
          health: {
            pending: counts.pending,
            failed: counts.failed,
            lastSuccessAt: iso(w.lastSuccessAt),
            lastFailureAt: iso(w.lastFailureAt),
            consecutiveFailures: w.consecutiveFailures,
            lastError: w.lastError,
          },
        }
      : {}),
  };
}

export function toDeliveryDto(d: WebhookDeliveryEntity): DeliveryDto {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventId: d.eventId,
    event: d.eventType,
    sessionId: d.sessionId,
    status: d.status,
    attemptCount: d.attempts,
    nextAttemptAt: d.status === DeliveryStatus.PENDING ? iso(d.nextAttemptAt) : null,
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    deliveredAt: iso(d.deliveredAt),
    createdAt: iso(d.createdAt)!,
  };
}

export function toDeliveryDetailDto(d: WebhookDeliveryEntity, attempts: WebhookDeliveryAttemptEntity[]): DeliveryDetailDto {
  return { ...toDeliveryDto(d), payload: parseBody(d.body), attempts: attempts.map(toAttemptDto) };
}

function toAttemptDto(a: WebhookDeliveryAttemptEntity): DeliveryAttemptDto {
  return {
    attempt: a.attempt,
    at: iso(a.startedAt)!,
    durationMs: a.durationMs,
    statusCode: a.statusCode,
    success: a.success,
    error: a.error,
    responseBody: a.responseBody,
  };
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
