/** A stored media file handed to the engine (the engine streams it from `path`). */
export interface MediaFile {
  path: string;
  mimetype: string;
  size: number;
  fileName?: string | null;
}

/** Enough of a message to quote or react to it. */
export interface MessageRef {
  id: string;
  chatJid: string;
  fromMe: boolean;
  participant?: string | null;
  /** Text of the quoted message, shown in the reply bubble. */
  text?: string | null;
}

export type OutgoingContent =
  | { kind: 'text'; text: string; mentions?: string[]; linkPreview?: boolean }
  | { kind: 'image'; media: MediaFile; caption?: string; mentions?: string[] }
  | { kind: 'video'; media: MediaFile; caption?: string; mentions?: string[] }
  | { kind: 'audio'; media: MediaFile }
  | { kind: 'voice'; media: MediaFile; seconds: number; waveform: Uint8Array }
  | { kind: 'document'; media: MediaFile; fileName: string; caption?: string }
  | { kind: 'sticker'; media: MediaFile }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { kind: 'contacts'; displayName: string; vcards: string[] }
  | { kind: 'reaction'; emoji: string; target: MessageRef };

export interface OutgoingMessage {
  /** The WhatsApp message id, chosen at enqueue and reused on every attempt. */
  id: string;
  /** Recipient JID (`…@s.whatsapp.net`, `…@lid`, `…@g.us`). */
  to: string;
  content: OutgoingContent;
  quoted?: MessageRef;
}

export type SendFailureKind = 'transient' | 'permanent' | 'not-ready';

/** Why an engine could not send; the queue retries `transient`, fails `permanent`, waits on `not-ready`. */
export class EngineSendError extends Error {
  constructor(
    readonly kind: SendFailureKind,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineSendError';
  }
}

export interface NumberCheck {
  input: string;
  jid: string | null;
  exists: boolean;
}

export type PresenceState = 'composing' | 'recording' | 'paused';
