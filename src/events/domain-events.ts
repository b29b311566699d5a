import type { SessionStatus } from '../sessions/session-status';
import type { ContactInfo, IncomingCall, MessageStatusUpdate } from '../whatsapp/engine/engine-events';

/** Events other modules (webhooks, live stream) subscribe to. Payloads never carry secrets. */
export type DomainEvent =
  | {
      type: 'session.status';
      sessionId: string;
      status: SessionStatus;
      previousStatus: SessionStatus | null;
      reason: string | null;
      at: string;
    }
  /** A session row was created (before it starts linking). */
  | { type: 'session.created'; sessionId: string; name: string | null; method: string; workspace: string | null; at: string }
  | { type: 'session.qr'; sessionId: string; qr: string; at: string }
  | { type: 'session.settings'; sessionId: string; at: string }
  | { type: 'message.receipt'; sessionId: string; update: MessageStatusUpdate }
  | {
      type: 'message.status';
      sessionId: string;
      messageId: string;
      /** The message's number (MessageEntity.number). */
      number: number;
      waMessageId: string;
      chatJid: string;
      status: string;
      error: { code: string; message: string } | null;
      at: string;
      /** The message's type (text, image, …) and when it was accepted, for metrics. */
      messageType?: string;
      acceptedAt?: string;
    }
  /** An outbound message was accepted into the queue (QUEUED, committed). */
  | { type: 'message.accepted'; sessionId: string; messageId: string; messageType: string; at: string }
  | { type: 'session.pairing_code'; sessionId: string; code: string; at: string }
  /** Stored inbound message (emitted after it is committed; `data` is its API shape). */
  | { type: 'message.received'; sessionId: string; data: Record<string, unknown>; at: string }
  | { type: 'call.received'; sessionId: string; data: Record<string, unknown>; at: string }
  | { type: 'contact.opt_in'; sessionId: string; data: Record<string, unknown>; at: string }
  /** Raw engine input, consumed by the inbound, contacts and calls services (not for webhooks). */
  | { type: 'engine.contacts'; sessionId: string; contacts: ContactInfo[] }
  | { type: 'engine.call'; sessionId: string; call: IncomingCall };

export type DomainEventType = DomainEvent['type'];
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;
