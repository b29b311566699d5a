/**
 * The connections API's own rules for `messages/send` (never the server's DEFAULT_COUNTRY):
 * which numbers it accepts and which WhatsApp message kind a file becomes.
 */

/** Separators people type inside numbers: spaces, dots, dashes, parentheses. */
const SEPARATORS = /[\s().-]/g;

/**
 * A recipient as `+<country code><number>`, or null when the input is not one.
 * - 10 digits (e.g. `9876543210`) are an Indian mobile number: `+91` is prefixed.
 * - `+` then 8–15 digits: international, kept as given.
 * - 11–15 bare digits not starting with 0 (e.g. `919876543210`): taken as country code +
 *   number, as most clients send it; a leading 0 is a national trunk prefix and is refused.
 */
export function normalizeMobileNumber(input: string): string | null {
  const compact = input.trim().replace(SEPARATORS, '');
  if (/^\+\d{8,15}$/.test(compact)) return compact;
  if (/^\d{10}$/.test(compact)) return `+91${compact}`;
  if (/^[1-9]\d{10,14}$/.test(compact)) return `+${compact}`;
  return null;
}

/** The message kinds a file can be sent as. */
export type ConnectionMediaKind = 'image' | 'video' | 'audio' | 'document';

/** image/* → image, video/* → video, audio/* → audio, anything else → document. */
export function mediaKindOf(mime: string | null | undefined): ConnectionMediaKind {
  const type = (mime ?? '').trim().toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'document';
}

const BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  pdf: 'application/pdf',
};

/** A MIME type guessed from a file name or URL path (`…/photo.PNG?x=1` → image/png), or null. */
export function mimeFromName(name: string | null | undefined): string | null {
  if (!name) return null;
  const path = name.split(/[?#]/)[0];
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(path)?.[1]?.toLowerCase();
  return ext ? (BY_EXTENSION[ext] ?? null) : null;
}
