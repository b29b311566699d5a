import { createHash, createHmac } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';

/**
 * Meta's business-scoped user id (BSUID) for a chat, as webhooks carry it in
 * `contacts[].user_id`, `messages[].from_user_id` and `statuses[].recipient_user_id`:
 * `<ISO 3166 alpha-2 country of the number>.<20 decimal digits>` (`US.13491208655302741918`),
 * `ZZ` when the chat has no phone number (a LID-only contact) or its country is unknown.
 *
 * Like Meta's, it is scoped to the business: the same contact has the same id in every session
 * of a WhatsApp Business Account and a different one in another account, so an id leaked from
 * one workspace says nothing about the contact in another. It is a pure function of
 * `(chatJid, wabaId)`: HMAC-SHA256 keyed by a hash of the WABA id over the chat's user part
 * (server and device suffix aside), so every replica computes the same id without storing it.
 */
export function businessUserIdOf(chatJid: string, wabaId: string): string {
  const user = chatJid.split('@')[0].split(':')[0];
  const isPhone = !/@(lid|g\.us|newsletter|broadcast)$/.test(chatJid) && /^\d{7,15}$/.test(user);
  const key = createHash('sha256').update(`switchboard-bsuid-key\0${wabaId}`).digest();
  const mac = createHmac('sha256', key).update(`${isPhone ? 'pn' : 'other'}:${user}`).digest();
  // 20 digits without a leading zero (10^19 … 10^20-1), from the first 8 bytes.
  const digits = (10n ** 19n + (mac.readBigUInt64BE(0) % (9n * 10n ** 19n))).toString();
  return `${countryOf(isPhone ? user : null)}.${digits}`;
}

/** Whether `value` has the shape of a business-scoped user id (`CC.digits`). */
export function isBusinessUserId(value: string): boolean {
  return /^[A-Z]{2}\.\d{1,30}$/.test(value);
}

/** The number's country; for numbers outside any allocated range, the main country of its calling code. */
function countryOf(digits: string | null): string {
  if (!digits) return 'ZZ';
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (!parsed) return 'ZZ';
  return parsed.country ?? (metadata.country_calling_codes as Record<string, string[]>)[parsed.countryCallingCode]?.[0] ?? 'ZZ';
}
