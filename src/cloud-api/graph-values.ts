/** Reading loosely typed Graph values: what Meta's clients send inside JSON bodies. */

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string (numbers are taken as strings, as Graph does); otherwise undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/**
 * Graph takes object and array parameters as JSON text too (form posts send them that way, and
 * whatsapp-api-js serialises `Contacts` to a JSON string inside the JSON body).
 */
export function graphJson(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
