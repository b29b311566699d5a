import { createHash } from 'node:crypto';

/**
 * The numeric ids Meta clients expect for Switchboard's own objects. Graph ids are decimal
 * strings; CRMs store them, compare them with webhook metadata and put them in paths, and a
 * few parse them as JSON numbers, so ours stay at 15 digits (exact in a double) like Meta's.
 *
 * Both are pure functions of a stable name, so every replica and every restart computes the
 * same id without coordination. The leading digit keeps the two kinds apart: a phone number id
 * starts with 1, a WhatsApp Business Account id with 2 (uploaded media ids have 16 digits).
 */
function digitsOf(kind: string, name: string): string {
  const hash = createHash('sha256').update(`${kind}:${name}`).digest();
  // 14 decimal digits from the first 7 bytes (2^56 > 10^14), uniform enough for ids.
  return ((hash.readBigUInt64BE(0) >> 8n) % 10n ** 14n).toString().padStart(14, '0');
}

/** The canonical Cloud API phone number id of a session: 15 digits, starting with 1. */
export function phoneNumberIdOf(sessionId: string): string {
  return `1${digitsOf('phone-number', sessionId)}`;
}

/** The WhatsApp Business Account id of a workspace (null: sessions without one): 15 digits, starting with 2. */
export function wabaIdOf(workspace: string | null): string {
  return `2${digitsOf('waba', workspace ?? '')}`;
}

/** Whether a path segment has the shape of a phone number id or a WABA id from above. */
export function isGraphAccountId(ref: string): boolean {
  return /^[12]\d{14}$/.test(ref);
}
