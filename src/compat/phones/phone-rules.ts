import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';

/** A `country` as the phones manager's clients send it: ISO 3166 alpha-2 (`IN`) or a calling code (`91`, `+91`). */
export type CountryRef = { iso: CountryCode } | { callingCode: string };

/** `IN`, `in` → ISO; `91`, `+91` → calling code; anything else → null. */
export function parseCountry(input: string): CountryRef | null {
  const value = input.trim();
  if (/^[A-Za-z]{2}$/.test(value) && isSupportedCountry(value.toUpperCase())) return { iso: value.toUpperCase() as CountryCode };
  const code = /^\+?(\d{1,3})$/.exec(value);
  return code ? { callingCode: code[1] } : null;
}

/**
 * A number as WhatsApp addresses it (international digits, no `+`), or null.
 * - With `country`: the number is validated for that country (libphonenumber, full metadata);
 *   a number written with `+` keeps its own country code.
 * - Without: the digits as given (spaces, dashes, dots, brackets and one leading `+` are
 *   dropped), 7 to 15 of them.
 */
export function phoneDigits(input: string, country?: string | null): string | null {
  const value = input.trim();
  if (country) {
    const ref = parseCountry(country);
    if (!ref || !/^\+?[\d\s().-]+$/.test(value)) return null;
    const parsed = 'iso' in ref ? parsePhoneNumberFromString(value, ref.iso) : parsePhoneNumberFromString(value, { defaultCallingCode: ref.callingCode });
    return parsed?.isValid() ? parsed.number.slice(1) : null;
  }
  if (!/^\+?[\d\s().-]+$/.test(value)) return null;
  const digits = value.replace(/\D/g, '');
  return digits.length >= 7 && digits.length <= 15 ? digits : null;
}

/**
 * The documented recipient rule: with `@` a JID taken as it is; without `@` and with
 * `country` a phone number validated for that country; without both, 7–15 digits →
 * `<digits>@s.whatsapp.net`. `jid`, when given, overrides `recipient`.
 * @throws AppError RECIPIENT_INVALID (400) naming the field
 */
export function recipientJid(recipient: string | undefined, country?: string | null, jid?: string | null): string {
  if (jid !== undefined && jid !== null && jid.trim() !== '') {
    if (!jid.includes('@')) throw invalid('jid', 'jid must be a WhatsApp JID (…@s.whatsapp.net, …@g.us, …@lid)');
    return jid.trim();
  }
  if (recipient === undefined || recipient.trim() === '') throw invalid('recipient', 'recipient is required (or give jid)');
  if (recipient.includes('@')) return recipient.trim();
  if (country && !parseCountry(country)) throw invalid('country', 'country must be an ISO 3166 alpha-2 code (IN) or a calling code (91)');
  const digits = phoneDigits(recipient, country);
  if (!digits) {
    throw country
      ? invalid('recipient', `recipient is not a valid phone number for country ${country}`)
      : invalid('recipient', 'recipient must be a JID (with @) or a phone number of 7 to 15 digits with its country code');
  }
  return `${digits}@s.whatsapp.net`;
}

function invalid(field: string, message: string): AppError {
  return new AppError(ErrorCode.RECIPIENT_INVALID, message, { fields: [{ field, messages: [message] }] });
}
