import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * A WhatsApp number in international form ("+91 98765 43210"). The API gives numbers as digits
 * with the country code and no "+" ("919876543210"), sometimes as a JID
 * ("919876543210@s.whatsapp.net" or with a device suffix "919876543210:12@…"). Anything that is
 * not a number is returned as it came; null/empty gives "".
 */
export function formatPhone(raw: string | null | undefined): string {
  if (!raw) return '';
  const user = raw.split('@')[0].split(':')[0];
  const digits = user.replace(/[\s().-]/g, '').replace(/^\+/, '');
  if (!/^\d{6,15}$/.test(digits)) return raw;
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  return parsed ? parsed.formatInternational() : `+${digits}`;
}

/**
 * What a person typed as a phone number ("+91 98765-43210", "0091 98765 43210") as the digits
 * the API takes, or null when it is not an international number.
 */
export function phoneDigits(input: string): string | null {
  let s = input.trim().replace(/[\s().-]/g, '');
  if (s.startsWith('00')) s = s.slice(2);
  else if (s.startsWith('+')) s = s.slice(1);
  if (!/^\d{8,15}$/.test(s)) return null;
  const parsed = parsePhoneNumberFromString(`+${s}`);
  return parsed && parsed.isPossible() ? s : null;
}
