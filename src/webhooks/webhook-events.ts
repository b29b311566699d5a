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

/** The chat an event belongs to, from the fields each event type carries; null for session-wide events. */
export function chatOfEvent(event: WebhookEventType, data: Record<string, unknown>): string | null {
  const text = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const field = (obj: unknown, key: string) => (obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined);
  switch (event) {
    case 'message.status':
      return text(data.chatId);
    case 'message.received':
      return text(field(data.message, 'chat'));
    case 'call.received':
      return text(field(data.call, 'from'));
    case 'contact.opt_in':
      return text(field(data.contact, 'jid'));
    default:
      return null;
  }
}

/**
 * What a delivery is ordered by: `<session>/<chat>` for a chat's events, `<session>/` for
 * session-wide ones (status, QR). One key's deliveries go out one at a time in creation
 * order; different keys of one subscription go out in parallel.
 */
export function orderKeyOf(envelope: Pick<WebhookEnvelope, 'event' | 'sessionId' | 'data'>): string {
  return `${envelope.sessionId}/${chatOfEvent(envelope.event, envelope.data) ?? ''}`;
}
