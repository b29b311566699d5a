const UNSTORABLE = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A string PostgreSQL text and jsonb can store: NUL and lone surrogates become U+FFFD. */
export function storableString(s: string): string {
  if (!UNSTORABLE.test(s)) return s;
  return s.replace(/\u0000/g, '\ufffd').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * `value` with every string (and object key) made storable (see storableString); the same
 * object when nothing needed a change. For data the server does not choose, such as what a
 * WhatsApp contact sends: a NUL in a message or a push name would make PostgreSQL refuse the
 * row, and the message would be lost. Buffers and class instances other than plain objects and
 * arrays are kept as they are.
 */
export function storableText<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return storableString(value) as T;
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, i) => {
      const next = storableText(item, depth + 1);
      if (next !== item) (copy ??= [...value])[i] = next;
    });
    return (copy ?? value) as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const nextKey = storableString(key);
    const next = storableText(item, depth + 1);
    if (next !== item || nextKey !== key) {
      copy ??= { ...(value as Record<string, unknown>) };
      if (nextKey !== key) delete copy[key];
      copy[nextKey] = next;
    }
  }
  return (copy ?? value) as T;
}
