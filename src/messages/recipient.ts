import { normalizePhoneNumber } from '../common/utils/phone-number';

export interface Recipient {
  jid: string;
  /** Digits-only phone number when the recipient is a phone-number JID. */
  phoneNumber: string | null;
}

/**
 * A recipient as integrators write it (the phones manager's rule): with `@` it is a JID, taken as it is
 * (`…@s.whatsapp.net`, `…@c.us`, `…@g.us`, `…@lid`); without, a phone number normalised with
 * the default country. Returns null for anything else.
 */
export function toRecipient(input: string, defaultCountry: string): Recipient | null {
  const value = input.trim();
  if (value.includes('@')) {
    const match = /^([0-9]{5,20})(?::\d+)?@(s\.whatsapp\.net|c\.us)$/.exec(value);
    if (match) return { jid: `${match[1]}@s.whatsapp.net`, phoneNumber: match[1] };
    if (/^[0-9]{5,20}(-[0-9]{5,20})?@g\.us$/.test(value)) return { jid: value, phoneNumber: null };
    if (/^[0-9]{5,20}@lid$/.test(value)) return { jid: value, phoneNumber: null };
    return null;
  }
  const digits = normalizePhoneNumber(value, defaultCountry);
  return digits ? { jid: `${digits}@s.whatsapp.net`, phoneNumber: digits } : null;
}

export function isGroupJid(jid: string): boolean {
  return jid.endsWith('@g.us');
}

/** The user part of a JID as WhatsApp shows it in `wa_id`. */
export function jidUser(jid: string): string {
  return jid.split('@')[0].split(':')[0];
}
