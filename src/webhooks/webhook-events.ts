/** Every event a webhook subscription or the live stream can carry. */
export const WEBHOOK_EVENT_TYPES = [
  'message.received',
  'message.status',
  'session.created',
  'session.status',
  'session.qr',
  'call.received',
  'contact.opt_in',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** `*` subscribes to every event type, including ones added later. */
export const ALL_EVENTS = '*';

/** What subscriptions may name in `events` (the phones manager calls it `services`). */
export const SUBSCRIBABLE_EVENTS: readonly string[] = [...WEBHOOK_EVENT_TYPES, ALL_EVENTS];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** An event as producers hand it to the outbox (`EVENT_OUTBOX`, `WebhooksService.publish()`). */
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
