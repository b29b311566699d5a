import { useId, useRef, useState } from 'react';

/**
 * A secret shown once: a read-only field (select-all on focus, the fallback when the clipboard is
 * unavailable) with a Copy button, and the warning that it will not be shown again.
 */
export function SecretReveal({ label, secret }: { label: string; secret: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      input.current?.focus();
      input.current?.select();
      setCopied('no');
    }
  };
  return (
    <div className="secret-reveal">
      <p className="secret-warning" id={`${id}-warn`}>
        <strong>Copy it now: you will not see it again.</strong> Only a hash is kept on the server.
      </p>
      <label htmlFor={id}>{label}</label>
      <div className="secret-row">
        <input
          id={id}
          ref={input}
          type="text"
          readOnly
          value={secret}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={`${id}-warn`}
          onFocus={(e) => e.currentTarget.select()}
          data-autofocus
        />
        <button type="button" className="button secondary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status" className="hint">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'The browser did not allow copying: the text is selected, press Ctrl+C (⌘C).' : ''}
      </p>
    </div>
  );
}
