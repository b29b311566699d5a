import type { EntityManager } from 'typeorm';
import type { WebhookTransport } from '../webhook-http';
import type { WebhookEnvelope, WebhookEventType } from '../webhook-events';

/** The subscription as a formatter sees it. */
export interface FormatterSubscription {
  id: string;
  url: string;
  sessionId: string | null;
  options: Record<string, unknown>;
}

/** Format-specific fields of a create request, validated and turned into stored `options`. */
export interface FormatterSetupInput {
  url: string;
  secret: string;
  sessionId: string | null;
  events: string[];
  /** Cloud API: the token echoed in Meta's `hub.verify_token` handshake. */
  verifyToken?: string;
  /** How a handshake reaches the receiver: the same address rules as the webhook's deliveries. */
  transport: WebhookTransport;
}

/** One request body to deliver, fixed when the delivery row is created. */
export interface FormattedPayload {
  body: string;
}

/** What a formatter needs to sign one attempt. */
export interface SignInput {
  body: string;
  secret: string;
  eventId: string;
  eventType: string;
  deliveryId: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
}

/**
 * One wire format of webhook deliveries. The format owns the bodies (computed once per
 * event and subscription; retries resend the same bytes) and the per-attempt headers
 * (signatures). The dispatcher owns transport, retries, ordering and the log.
 *
 * A format plugs in by implementing this and registering itself with `WebhookFormats`
 * (e.g. from its module's `onModuleInit`); subscriptions name it in `format`.
 */
export interface WebhookFormatter {
  /** The value of `format` that selects this formatter. */
  readonly name: string;

  /**
   * Validates a new or changed subscription and returns the `options` to store. May talk to
   * the receiver (Meta's `hub.challenge` handshake). Throws an `AppError` to refuse it.
   */
  setup(input: FormatterSetupInput): Promise<Record<string, unknown>>;

  /**
   * The bodies to deliver for one event: usually one, none when the format has no way to say
   * this event, several when the format posts one item per request.
   */
  format(envelope: WebhookEnvelope, subscription: FormatterSubscription): FormattedPayload[];

  /**
   * Optional: called before `format` for each session of a published batch whose events this
   * format carries, inside the producer's transaction (`manager`), so a format that needs session
   * state another replica may have changed reads it fresh while `format` stays synchronous.
   */
  prepare?(sessionId: string, manager: EntityManager): Promise<void>;

  /**
   * Headers of one attempt besides Content-Type and User-Agent (signature, event names).
   * Called for every attempt, so time-bound signatures are fresh on each retry.
   */
  headers(input: SignInput): Record<string, string>;

  /** Event types this format can carry; subscriptions of the format may name only these (or `*`). */
  readonly events: readonly WebhookEventType[];

  /**
   * The body of a test delivery (`POST /api/webhooks/{id}/test`) in this format: something the
   * receiver's parser accepts and no bot would answer. Absent: the format has no test delivery.
   */
  testPing?(ping: TestPing): string;
}

/** A test delivery to one webhook (see `WebhookFormatter.testPing`). */
export interface TestPing {
  /** `evt_<uuid>`, as any event id. */
  eventId: string;
  webhookId: string;
  /** The webhook's session; null for a global webhook. */
  sessionId: string | null;
  createdAt: string;
}

/** The event type of a test delivery; never published to other webhooks or the stream. */
export const TEST_PING_EVENT = 'webhook.test';
