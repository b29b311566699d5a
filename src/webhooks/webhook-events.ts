import type { DomainEvent } from '../events/domain-events';

/** Every event a webhook subscription or the live stream can carry. */
export const WEBHOOK_EVENT_TYPES = [
  'message.received',
  'message.status',
  'session.status',
  'session.qr',
  'call.received',
  'contact.opt_in',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** `*` subscribes to every event type, including ones added later. */
export const ALL_EVENTS = '*';

/** What subscriptions may name in `events` (seed 002 calls it `services`). */
export const SUBSCRIBABLE_EVENTS: readonly string[] = [...WEBHOOK_EVENT_TYPES, ALL_EVENTS];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** An event as producers hand it to `WebhooksService.publish()`. */
export interface WebhookEventInput {
  type: WebhookEventType;
  sessionId: string;
  /** Event-specific payload; becomes the envelope's `data` as is. Never put secrets here. */
  data: Record<string, unknown>;
  /** When it happened; defaults to now. */
  at?: Date | string;
}

/**
 * The native envelope: one per event, the same (same `id`) for every subscription and for the
 * live stream, so receivers can de-duplicate on `id`.
 */
export interface WebhookEnvelope {
  id: string;
  event: WebhookEventType;
  sessionId: string;
  createdAt: string;
  data: Record<string, unknown>;
}

/**
 * Which webhook events the webhooks module takes from the in-process event bus. Every other
 * type is published by its producer through `WebhooksService.publish()`, so nothing is ever
 * published twice.
 *
 * `message.received` must never come from the bus: the inbound pipeline publishes it with
 * the EntityManager of the transaction that stores the message, so a stored message always
 * has its deliveries and a duplicate upsert from Baileys (dropped by that transaction) never
 * produces a second webhook. Move a type from here to a `publish()` caller the same way when
 * its producer starts writing it transactionally.
 */
export const BUS_SOURCED_EVENTS: readonly WebhookEventType[] = [
  'session.status',
  'session.qr',
  'message.status',
  'call.received',
  'contact.opt_in',
];

/**
 * Maps a bus event to a webhook event, or null when the bus event is not one webhooks carry.
 * Bus payloads are reshaped into `data` here so the wire format stays independent of them.
 */
export function fromDomainEvent(event: DomainEvent): WebhookEventInput | null {
  switch (event.type) {
    case 'session.status':
      return {
        type: 'session.status',
        sessionId: event.sessionId,
        at: event.at,
        data: { status: event.status, previousStatus: event.previousStatus, reason: event.reason },
      };
    case 'session.qr':
      return { type: 'session.qr', sessionId: event.sessionId, at: event.at, data: { qr: event.qr } };
    case 'message.status':
      return {
        type: 'message.status',
        sessionId: event.sessionId,
        at: event.at,
        data: {
          messageId: event.messageId,
          waMessageId: event.waMessageId,
          chatId: event.chatJid,
          status: event.status,
          error: event.error,
        },
      };
    case 'call.received':
    case 'contact.opt_in':
      return { type: event.type, sessionId: event.sessionId, at: event.at, data: event.data };
    default:
      // Internal events (engine.*, session.settings, …) are not webhook events.
      return null;
  }
}
