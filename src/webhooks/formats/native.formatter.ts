import { createHmac } from 'node:crypto';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { WEBHOOK_EVENT_TYPES, type WebhookEnvelope } from '../webhook-events';
import { TEST_PING_EVENT, type FormattedPayload, type FormatterSetupInput, type SignInput, type TestPing, type WebhookFormatter } from './webhook-formatter';

/**
 * `X-Switchboard-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The
 * timestamp is part of the signed string, so a captured request cannot be replayed later
 * with a new timestamp; receivers reject timestamps too far from their clock.
 */
export function nativeSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The native format: the envelope JSON `{id, event, sessionId, createdAt, data}`, HMAC-signed. */
export class NativeWebhookFormatter implements WebhookFormatter {
  readonly name = 'native';
  readonly events = WEBHOOK_EVENT_TYPES;

  async setup(input: FormatterSetupInput): Promise<Record<string, unknown>> {
    if (input.verifyToken !== undefined) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'verifyToken applies to format "cloud-api" only', {
        fields: [{ field: 'verifyToken', messages: ['verifyToken applies to format "cloud-api" only'] }],
      });
    }
    return {};
  }

  format(envelope: WebhookEnvelope): FormattedPayload[] {
    return [{ body: serializeEnvelope(envelope) }];
  }

  /** The usual envelope with `event: "webhook.test"` and `data: {webhookId, test: true, message}`. */
  testPing(ping: TestPing): string {
    return serializeEnvelope({
      id: ping.eventId,
      // Not a subscribable event: only the test route creates it.
      event: TEST_PING_EVENT as never,
      sessionId: ping.sessionId as string,
      createdAt: ping.createdAt,
      data: { webhookId: ping.webhookId, test: true, message: 'Test delivery from Switchboard: this webhook is reachable.' },
    });
  }

  headers(input: SignInput): Record<string, string> {
    return {
      'X-Switchboard-Event': input.eventType,
      'X-Switchboard-Event-Id': input.eventId,
      'X-Switchboard-Delivery': input.deliveryId,
      'X-Switchboard-Timestamp': String(input.timestamp),
      'X-Switchboard-Signature': nativeSignature(input.secret, input.timestamp, input.body),
    };
  }
}

/** The envelope with its keys in the documented order (also what the live stream sends). */
export function serializeEnvelope(e: WebhookEnvelope): string {
  return JSON.stringify({ id: e.id, event: e.event, sessionId: e.sessionId, createdAt: e.createdAt, data: e.data });
}
