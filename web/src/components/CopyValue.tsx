import { useState } from 'react';

/** A read-only value (an id to paste elsewhere) with a Copy button; the result is announced. */
export function CopyValue({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <span className="copy-value">
      <code>{value}</code>{' '}
      <button type="button" className="button secondary small" aria-label={`Copy ${label}`} onClick={() => void copy()}>
        Copy
      </button>
      <span role="status" className="hint">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Copying is not allowed here: select the id and copy it.' : ''}
      </span>
    </span>
  );
}
