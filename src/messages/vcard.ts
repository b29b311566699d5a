/**
 * vCard 3.0 cards, the format WhatsApp carries contacts in. The one place cards are built
 * (the native `contact {name, phone}` send and the Cloud API `contacts` objects both come
 * here) and read back (a client's raw `vcard` text, possibly several cards).
 */

export interface VcardName {
  first?: string;
  last?: string;
  middle?: string;
  prefix?: string;
  suffix?: string;
}

export interface VcardContact {
  /** FN, the name WhatsApp shows. */
  formattedName: string;
  /** N, the structured name; the line is left out when absent. */
  name?: VcardName;
  org?: { company?: string; department?: string; title?: string };
  /** `number` as it is shown; `waId` lets WhatsApp offer "Message"; `types` as TEL type parameters. */
  phones?: { number: string; waId?: string; types?: string[] }[];
  emails?: { address: string; type?: string }[];
  addresses?: { type?: string; street?: string; city?: string; state?: string; zip?: string; country?: string }[];
  urls?: { url: string; type?: string }[];
  birthday?: string;
}

/** Escapes a vCard text value: backslash, semicolon and comma, and line breaks as `\n`. */
export function escapeVcardText(value: string | undefined): string {
  return (value ?? '').replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
}

/** One contact as a vCard 3.0 (lines joined by `\n`, as WhatsApp sends them). */
export function buildVcard(contact: VcardContact): string {
  const esc = escapeVcardText;
  const typed = (property: string, types: (string | undefined)[]) => [property, ...types.filter(Boolean).map((t) => `type=${esc(t)}`)].join(';');
  const lines = ['BEGIN:VCARD', 'VERSION:3.0'];
  const n = contact.name;
  if (n) lines.push(`N:${[n.last, n.first, n.middle, n.prefix, n.suffix].map(esc).join(';')}`);
  lines.push(`FN:${esc(contact.formattedName)}`);
  const org = [contact.org?.company, contact.org?.department].filter(Boolean);
  if (org.length) lines.push(`ORG:${org.map(esc).join(';')}`);
  if (contact.org?.title) lines.push(`TITLE:${esc(contact.org.title)}`);
  for (const p of contact.phones ?? []) {
    lines.push(`${typed('TEL', p.types ?? [])}${p.waId ? `;waid=${p.waId}` : ''}:${esc(p.number)}`);
  }
  for (const e of contact.emails ?? []) lines.push(`${typed('EMAIL', [e.type])}:${esc(e.address)}`);
  for (const a of contact.addresses ?? []) {
    lines.push(`${typed('ADR', [a.type])}:;;${[a.street, a.city, a.state, a.zip, a.country].map(esc).join(';')}`);
  }
  for (const u of contact.urls ?? []) lines.push(`${typed('URL', [u.type])}:${esc(u.url)}`);
  if (contact.birthday) lines.push(`BDAY:${esc(contact.birthday)}`);
  lines.push('END:VCARD');
  return lines.join('\n');
}

/** Whether `text` is one or more complete cards (BEGIN:VCARD … END:VCARD). */
export function isVcardText(text: string): boolean {
  return /^BEGIN:VCARD[\s\S]*END:VCARD\s*$/i.test(text.trim());
}

/** Concatenated cards, one per entry. */
export function splitVcards(text: string): string[] {
  return text.trim().split(/(?<=END:VCARD)\s*(?=BEGIN:VCARD)/i);
}

/** The FN of a card (the first one of several), or undefined. */
export function vcardFormattedName(text: string): string | undefined {
  return /^FN:(.*)$/im.exec(text)?.[1]?.trim();
}
