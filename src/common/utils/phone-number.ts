import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * Normalises a phone number typed by a person (`+91 98765 43210`, `0091-98765-43210`,
 * `9876543210` with a default country) into WhatsApp's digits-only international form
 * (`919876543210`). Returns `null` when the input cannot be a phone number.
 */
export function normalizePhoneNumber(input: string, defaultCountry?: string): string | null {
  // Parsing with full metadata costs tens of microseconds; broadcasts repeat numbers.
  const key = `${defaultCountry ?? ''}|${input}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const result = parse(input, defaultCountry);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, result);
  return result;
}

const CACHE_MAX = 20_000;
const cache = new Map<string, string | null>();

function parse(input: string, defaultCountry?: string): string | null {
  const trimmed = input.trim();
  if (!/^\(?\+?[\d\s().-]+$/.test(trimmed)) return null;
  let digits = trimmed.replace(/\D/g, '');
  if (/^\(?\+/.test(trimmed)) return digits.length >= 7 && digits.length <= 15 ? digits : null;
  if (digits.startsWith('00')) digits = digits.slice(2);
  if (digits.length < 7 || digits.length > 15) return null;
  if (defaultCountry) {
    const national = parsePhoneNumberFromString(digits, defaultCountry as CountryCode);
    // A number that is valid as a national number of the default country is taken as one
    // (the connections manager: 10-digit numbers get the default country); anything else is assumed to
    // already carry its country code, as WhatsApp numbers usually do.
    if (national?.isValid()) return national.number.slice(1);
  }
  return digits;
}
