import { createHmac } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Business-scoped user ids (BSUIDs): the ids Meta now sends next to phone numbers
 * (`contacts[].user_id`, `messages[].from_user_id`) and that CRMs send back as `recipient`.
 * Meta's look like `US.13491208655302741918`: the user's country, a dot, 20 digits, different
 * for every WhatsApp Business Account.
 *
 * Switchboard's are computed, never stored: `<CC>.<20 digits>`, where CC is the phone number's
 * region (`ZZ` when WhatsApp gave no number, only a LID) and the digits are a keyed,
 * invertible permutation (a 4-round Feistel network over 64 bits, round keys from
 * HMAC-SHA256 of the WABA id) of the chat's number. So the same contact has a different id
 * under each WABA, every replica computes the same id, and a reply to one finds its chat
 * without any lookup table. They are opaque to clients but not secret: anyone who knows the
 * WABA id and this scheme can invert them, as with Meta's ids they identify a chat, they do
 * not authorize anything.
 *
 * The 64-bit block carries a kind bit (phone number or LID) and the number (< 2^50); the other
 * 13 bits must be zero, which rejects almost every id that was not made here.
 */

const PHONE_JID = /^(\d{5,15})(?::\d+)?@(s\.whatsapp\.net|c\.us)$/;
const LID_JID = /^(\d{1,15})(?::\d+)?@lid$/;
const BSUID = /^([A-Z]{2})\.(\d{20})$/;
const MASK32 = 0xffffffffn;
const ROUNDS = 4;
const KIND_LID = 1n << 50n;
const VALUE_BITS = (1n << 50n) - 1n;

/** Whether a `to`/`recipient` value has the shape of a business-scoped user id (`US.1349…`). */
export function isBusinessUserId(value: string): boolean {
  return /^[A-Za-z]{2}\.\S+$/.test(value);
}

/**
 * The business-scoped user id of a one-to-one chat under a WABA. `chat` is a JID
 * (`16505551234@s.whatsapp.net`, `…@c.us`, `1234567890123@lid`) or bare phone digits.
 * Returns null for groups and anything that is not one person's chat.
 */
export function businessUserIdOf(chat: string, wabaId: string): string | null {
  const value = chat.trim();
  const phone = PHONE_JID.exec(value)?.[1] ?? (/^\d{5,15}$/.test(value) ? value : undefined);
  const lid = LID_JID.exec(value)?.[1];
  if (!phone && !lid) return null;
  const block = phone ? BigInt(phone) : KIND_LID | BigInt(lid!);
  const region = phone ? (parsePhoneNumberFromString(`+${phone}`)?.country ?? 'ZZ') : 'ZZ';
  return `${region}.${feistel(block, wabaId, false).toString().padStart(20, '0')}`;
}

/**
 * The chat a business-scoped user id made by `businessUserIdOf` under the same WABA stands
 * for: `<digits>@s.whatsapp.net` or `<lid>@lid`; null when it is not one of ours (malformed,
 * another WABA's, or altered).
 */
export function chatOfBusinessUserId(bsuid: string, wabaId: string): string | null {
  const m = BSUID.exec(bsuid.trim().toUpperCase());
  if (!m) return null;
  const n = BigInt(m[2]);
  if (n >= 1n << 64n) return null;
  const block = feistel(n, wabaId, true);
  if (block >> 51n !== 0n) return null;
  const value = block & VALUE_BITS;
  if (block & KIND_LID) return `${value}@lid`;
  const digits = value.toString();
  if (digits.length < 5 || digits.length > 15) return null;
  const region = parsePhoneNumberFromString(`+${digits}`)?.country ?? 'ZZ';
  return region === m[1] ? `${digits}@s.whatsapp.net` : null;
}

function roundKey(wabaId: string, round: number, half: bigint): bigint {
  const mac = createHmac('sha256', `switchboard-bsuid:${wabaId}`).update(`${round}:${half}`).digest();
  return BigInt(mac.readUInt32BE(0));
}

/** A balanced Feistel network over two 32-bit halves; `inverse` undoes it. */
function feistel(block: bigint, wabaId: string, inverse: boolean): bigint {
  let left = (block >> 32n) & MASK32;
  let right = block & MASK32;
  if (!inverse) {
    for (let r = 0; r < ROUNDS; r++) [left, right] = [right, left ^ roundKey(wabaId, r, right)];
  } else {
    for (let r = ROUNDS - 1; r >= 0; r--) [left, right] = [right ^ roundKey(wabaId, r, left), left];
  }
  return (left << 32n) | right;
}
