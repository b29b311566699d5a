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
  /** The server's certificate chain did not verify: not WhatsApp, or someone in the middle. */
  SERVER_NOT_TRUSTED = 'SERVER_NOT_TRUSTED',
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

export type InboundType =
  | 'text' | 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker' | 'location' | 'contact' | 'reaction' | 'other';

/** A message a contact sent to the session (live or delivered after being offline). */
export interface InboundMessage {
  /** WhatsApp message id: the key that makes storage idempotent. */
  id: string;
  /** The chat: the sender's phone-number JID when known (else its LID), or the group. */
  chatJid: string;
  /** Who wrote it (the participant in groups). */
  senderJid: string;
  senderPhone: string | null;
  pushName: string | null;
  timestamp: number;
  type: InboundType;
  text?: string | null;
  caption?: string | null;
  /**
   * `ref` is engine-specific and opaque: pass it back to `downloadMedia`. `sha256`: base64 of the
   * file's SHA-256 as WhatsApp announces it with the message (before any download).
   */
  media?: { mimetype: string; fileName?: string | null; size?: number | null; seconds?: number | null; ptt?: boolean; animated?: boolean; sha256?: string | null; ref: string };
  location?: { latitude: number; longitude: number; name?: string | null; address?: string | null };
  contact?: { displayName: string; vcards: string[] };
  reaction?: { emoji: string; targetId: string };
  quotedId?: string | null;
  /** WhatsApp's forward marker: forwarded once, or many times (a forwarding score of 5 or more). */
  forwarded?: 'forwarded' | 'frequently_forwarded' | null;
}

export interface ContactInfo {
  jid: string;
  phoneNumber: string | null;
  lid: string | null;
  name: string | null;
  pushName: string | null;
}

export interface IncomingCall {
  id: string;
  from: string;
  fromPhone: string | null;
  isVideo: boolean;
  isGroup: boolean;
  at: Date;
}

export type EngineEvent =
  | { type: 'connecting'; linked: boolean }
  | { type: 'qr'; qr: string }
  | { type: 'pairing-code'; code: string }
  | { type: 'open'; account: EngineAccount }
  | { type: 'close'; reason: DisconnectReason; code?: number; message?: string }
  | { type: 'contacts.upsert'; contacts: ContactInfo[] }
  | { type: 'call'; call: IncomingCall }
  | { type: 'message.status'; update: MessageStatusUpdate };

/** A receipt or server ack for an outbound message, by its WhatsApp id. */
export interface MessageStatusUpdate {
  waMessageId: string;
  chatJid: string;
  status: 'SENT' | 'DELIVERED' | 'READ' | 'PLAYED' | 'FAILED';
  errorCode?: string;
  at: Date;
}
