/**
 * The device-token gateway's numbers: country code + digits, as the product takes them. `+`,
 * spaces, dashes, dots and brackets are ignored; 7–15 digits remain. No default country is
 * ever applied (`9611234567` is a Lebanese number here, not a national one). Null otherwise.
 */
export function devicePhoneNumber(input: string): string | null {
  const value = input.trim();
  if (!/^\+?[\d\s().-]+$/.test(value)) return null;
  const digits = value.replace(/\D/g, '');
  return digits.length >= 7 && digits.length <= 15 ? digits : null;
}

/**
 * The chat a `phone` names: a JID is taken as it is (`…@s.whatsapp.net`, `…@c.us`, `…@g.us`,
 * `…@lid`; groups are reached this way); anything else is a number as `devicePhoneNumber` reads it.
 */
export function deviceRecipientJid(input: string): string | null {
  const value = input.trim();
  if (value.includes('@')) {
    const user = /^([0-9]{5,20})(?::\d+)?@(s\.whatsapp\.net|c\.us)$/.exec(value);
    if (user) return `${user[1]}@s.whatsapp.net`;
    if (/^[0-9]{5,20}(-[0-9]{5,20})?@g\.us$/.test(value) || /^[0-9]{5,20}@lid$/.test(value)) return value;
    return null;
  }
  const digits = devicePhoneNumber(value);
  return digits ? `${digits}@s.whatsapp.net` : null;
}
