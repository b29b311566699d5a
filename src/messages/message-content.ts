import type { MessageRef } from '../whatsapp/engine/outgoing-message';

export type MessageType =
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
   * Text-to-speech voice note: the validated request and the key of its audio. The queue
   * synthesizes it (once: broadcasts share the cached audio) and then keeps the media id, so
   * a retry never calls the provider again.
   */
  tts?: { text: string; voice: string; speed: number; instructions?: string; cacheKey: string };
}
