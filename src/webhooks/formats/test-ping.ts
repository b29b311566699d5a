import { phoneNumberIdOf } from '../../common/utils/graph-ids';
import { serializeEnvelope } from './native.formatter';

/** The event type of a test ping (`POST /api/webhooks/{id}/test`); never published to other webhooks or the stream. */
export const TEST_PING_EVENT = 'webhook.test';

export interface TestPing {
  /** `evt_<uuid>`, as any event id. */
  eventId: string;
  webhookId: string;
  /** The webhook's session; null for a global webhook. */
  sessionId: string | null;
  createdAt: string;
}

/**
 * The body of a test ping in a webhook's format, or null for a format without one.
 *
 * - `native`: the usual envelope, `event: "webhook.test"`, `data: {webhookId, test: true, message}`.
 * - `cloud-api`: Meta's `whatsapp_business_account` payload with one `statuses` item (`sent`)
 *   for a message id that exists nowhere (`wamid.TEST_…`) and recipient `0`: Meta clients (such
 *   as whatsapp-api-js) accept it and hand it to their status handler, and nothing the receiver
 *   does with it can reach a real chat, unlike a sample inbound message that a bot would answer.
 */
export function testPingBody(format: string, ping: TestPing): string | null {
  if (format === 'native') {
    return serializeEnvelope({
      id: ping.eventId,
      // Not a subscribable event: only this route creates it.
      event: TEST_PING_EVENT as never,
      sessionId: ping.sessionId as string,
      createdAt: ping.createdAt,
      data: { webhookId: ping.webhookId, test: true, message: 'Test delivery from Switchboard: this webhook is reachable.' },
    });
  }
  if (format === 'cloud-api') {
    // The session's canonical phone number id, as every Cloud API webhook carries it.
    const id = ping.sessionId ? phoneNumberIdOf(ping.sessionId) : '0';
    return JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '', phone_number_id: id },
                statuses: [
                  {
                    id: `wamid.TEST_${ping.eventId.slice('evt_'.length).replace(/-/g, '')}`,
                    status: 'sent',
                    timestamp: String(Math.floor(Date.parse(ping.createdAt) / 1000)),
                    recipient_id: '0',
                  },
                ],
              },
            },
          ],
        },
      ],
    });
  }
  return null;
}
