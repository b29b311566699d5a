const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });

/**
 * Splits text into chunks of at most `maxChars` UTF-16 units, at sentence boundaries
 * (Unicode sentence segmentation, so "Dr. Smith" and "3.14" stay whole and 。！？ count).
 * Sentences are packed greedily; a sentence longer than `maxChars` is cut after a clause
 * mark (, ; : —), else at a space, else anywhere but inside a surrogate pair. Chunks are
 * trimmed and never empty. Text that fits is returned as one chunk.
 */
export function splitText(text: string, maxChars: number): string[] {
  if (maxChars < 1) throw new RangeError('maxChars must be positive');
  const trimmed = text.trim();
  if (!trimmed) return [];
  if (trimmed.length <= maxChars) return [trimmed];

  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    const chunk = current.trim();
    if (chunk) chunks.push(chunk);
    current = '';
  };
  for (const { segment } of sentences.segment(trimmed)) {
    if ((current + segment).trim().length <= maxChars) {
      current += segment;
      continue;
    }
    flush();
    if (segment.trim().length <= maxChars) {
      current = segment;
      continue;
    }
    for (const piece of splitLongSentence(segment.trim(), maxChars)) chunks.push(piece);
  }
  flush();
  return chunks;
}

function splitLongSentence(sentence: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let rest = sentence;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars + 1);
    let cut = lastBreak(window, /[,;:\u2014](?=\s)|[\u3001\uff0c]/g, 1);
    if (cut <= maxChars / 2) cut = Math.max(cut, lastBreak(window, /\s/g, 0));
    if (cut <= 0) cut = maxChars;
    // Never cut between the halves of a surrogate pair.
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    const piece = rest.slice(0, cut).trim();
    if (piece) pieces.push(piece);
    rest = rest.slice(cut).trimStart();
  }
  if (rest.trim()) pieces.push(rest.trim());
  return pieces;
}

/** Index just after the last match in `window` (plus `keep` chars of the match), or 0. */
function lastBreak(window: string, pattern: RegExp, keep: number): number {
  let at = 0;
  for (const m of window.matchAll(pattern)) if (m.index! + keep <= window.length - 1) at = m.index! + keep;
  return at;
}
