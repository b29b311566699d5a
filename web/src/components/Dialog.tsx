import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal built on the native <dialog>: focus moves into it and is kept there, Escape closes
 * it, the page behind is inert; its accessible name is its title.
 */
export function Dialog({ open, title, onClose, children, wide }: { open: boolean; title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // React keeps `autoFocus` to itself, so showModal() would focus the first button (Close).
      d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <div className="dialog-head">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-button" onClick={onClose} aria-label="Close">
              ×
            </button>
          </div>
          {children}
        </>
      )}
    </dialog>
  );
}

/** "Are you sure?" for actions that cannot be undone or interrupt a session. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose}>
      <div className="dialog-body">{props.children}</div>
      {props.error && (
        <p role="alert" className="error">
          {props.error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" className={props.danger ? 'button danger' : 'button primary'} onClick={props.onConfirm} disabled={props.busy}>
          {props.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

/** The end of a form in a dialog: its error (if any), Cancel, and the submit button that shows the request in flight. */
export function FormActions(props: { error?: string | null; pending: boolean; submitLabel: string; pendingLabel: string; onCancel: () => void }) {
  return (
    <>
      {props.error && (
        <p role="alert" className="error">
          {props.error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={props.pending}>
          {props.pending ? props.pendingLabel : props.submitLabel}
        </button>
      </div>
    </>
  );
}
