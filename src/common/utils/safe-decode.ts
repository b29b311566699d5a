/**
 * `decodeURIComponent` that never throws and never yields what no text field accepts: a
 * malformed escape (`%zz`, a lone `%`, an encoded lone surrogate like `%ED%A0%80`) or a NUL
 * (`%00`) gives null, so callers answer 4xx or fall back instead of crashing.
 */
export function safeDecodeURIComponent(value: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return null;
  }
  return decoded.includes('\u0000') ? null : decoded;
}
