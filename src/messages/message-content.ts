import type { MessageRef } from '../whatsapp/engine/outgoing-message';

export type MessageType =
  | 'other'
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'voice'
  | 'pdf'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contact'
  | 'reaction';

export const MESSAGE_TYPES: readonly MessageType[] = [
  'text', 'image', 'video', 'audio', 'voice', 'pdf', 'document', 'sticker', 'location', 'contact', 'reaction',
];

export const MEDIA_TYPES: readonly MessageType[] = ['image', 'video', 'audio', 'voice', 'pdf', 'document', 'sticker'];

/** What the queue stores to rebuild the outgoing message on every attempt (media by id). */
export interface MessageContent {
  text?: string;
  caption?: string;
  fileName?: string;
  mimetype?: string;
  mentions?: string[];
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contact?: { displayName: string; vcards: string[] };
  reaction?: { emoji: string; target: MessageRef };
  quoted?: MessageRef;
  /**
   * Inbound media not downloaded yet: the engine's reference (never shown in the API), and the
   * base64 SHA-256 of the file WhatsApp announced with the message (Cloud API webhooks' `sha256`).
   */
  inboundMedia?: { ref: string; mimetype: string; fileName?: string | null; size?: number | null; seconds?: number | null; ptt?: boolean; animated?: boolean; sha256?: string | null };
  /** Inbound: the WhatsApp id of the message this one replies to. */
  quotedId?: string;
  /** Inbound: WhatsApp's forward marker. */
  forwarded?: 'forwarded' | 'frequently_forwarded';
  /**
   * Sent by Switchboard itself (opt-in prompts, call replies): such messages reach contacts
   * who have not opted in, since they are how a contact opts in.
   */
  system?: 'opt-in' | 'call-reply';
  /** Inbound: the sender's WhatsApp display name. */
  pushName?: string;
  /**
   * Text-to-speech voice note: the validated request and the key of its audio. The queue
   * synthesizes it (once: broadcasts share the cached audio) and then keeps the media id, so
   * a retry never calls the provider again.
   */
  /** A voice note spoken from text; `provider`/`model` say who speaks it (absent on rows stored before they were recorded). */
  tts?: { text: string; voice: string; speed: number; instructions?: string; cacheKey: string; provider?: string; model?: string };
}
