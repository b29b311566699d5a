/** Why a connection closed, in our own words (each engine maps its protocol codes here). */
export enum DisconnectReason {
  RESTART_REQUIRED = 'RESTART_REQUIRED',
  LOGGED_OUT = 'LOGGED_OUT',
  FORBIDDEN = 'FORBIDDEN',
  MULTIDEVICE_MISMATCH = 'MULTIDEVICE_MISMATCH',
  CONNECTION_REPLACED = 'CONNECTION_REPLACED',
  CONNECTION_LOST = 'CONNECTION_LOST',
  CONNECTION_CLOSED = 'CONNECTION_CLOSED',
  TIMED_OUT = 'TIMED_OUT',
  BAD_SESSION = 'BAD_SESSION',
  UNAVAILABLE = 'UNAVAILABLE',
  QR_EXPIRED = 'QR_EXPIRED',
  VERSION_REJECTED = 'VERSION_REJECTED',
  UNKNOWN = 'UNKNOWN',
}

export interface EngineAccount {
  /** Digits-only phone number of the linked account. */
  mobileNumber: string;
  /** LID user part of the account (the "mobid"), when known. */
  mobid: string | null;
  /** The device's own JID as the engine reports it. */
  jid: string;
  pushName: string | null;
}

export interface InboundText {
  id: string;
  from: string;
  chatId: string;
  text: string;
  timestamp: number;
}

export type EngineEvent =
  | { type: 'connecting'; linked: boolean }
  | { type: 'qr'; qr: string }
  | { type: 'pairing-code'; code: string }
  | { type: 'open'; account: EngineAccount }
  | { type: 'close'; reason: DisconnectReason; code?: number; message?: string }
  | { type: 'message.received'; message: InboundText }
  | { type: 'message.status'; update: MessageStatusUpdate };

/** A receipt or server ack for an outbound message, by its WhatsApp id. */
export interface MessageStatusUpdate {
  waMessageId: string;
  chatJid: string;
  status: 'SENT' | 'DELIVERED' | 'READ' | 'PLAYED' | 'FAILED';
  errorCode?: string;
  at: Date;
}
