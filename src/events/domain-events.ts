import type { SessionStatus } from '../sessions/session-status';
import type { MessageStatusUpdate } from '../whatsapp/engine/engine-events';

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
  | { type: 'session.qr'; sessionId: string; qr: string; at: string }
  | { type: 'session.settings'; sessionId: string; at: string }
  | { type: 'message.receipt'; sessionId: string; update: MessageStatusUpdate }
  | {
      type: 'message.status';
      sessionId: string;
      messageId: string;
      waMessageId: string;
      chatJid: string;
      status: string;
      error: { code: string; message: string } | null;
      at: string;
    }
  | { type: 'session.pairing_code'; sessionId: string; code: string; at: string }
  | {
      type: 'message.received';
      sessionId: string;
      message: { id: string; from: string; chatId: string; text: string; timestamp: number };
      at: string;
    };

export type DomainEventType = DomainEvent['type'];
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;
