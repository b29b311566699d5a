import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../context';
import type { Session } from '../lib/types';
import { ConfirmDialog } from './Dialog';

type Action = 'restart' | 'stop' | 'logout' | 'relink' | 'delete';

const ACTIONS: Record<Action, { label: string; title: (n: string) => string; body: string; danger?: boolean }> = {
  restart: { label: 'Restart', title: (n) => `Restart ${n}?`, body: 'The connection is closed and opened again. Messages wait in the queue meanwhile.' },
  stop: { label: 'Stop', title: (n) => `Stop ${n}?`, body: 'The connection is closed without unlinking the phone. Queued messages wait until it starts again.' },
  logout: {
    label: 'Log out',
    title: (n) => `Log out ${n}?`,
    body: 'The phone is unlinked and the credentials are wiped. Linking again needs a new QR scan or pairing code.',
    danger: true,
  },
  relink: { label: 'Relink', title: (n) => `Relink ${n}?`, body: 'The current link is forgotten and a new QR or pairing code is shown.', danger: true },
  delete: {
    label: 'Delete',
    title: (n) => `Delete ${n}?`,
    body: 'The phone is unlinked, the credentials are deleted and the session is marked INACTIVE.',
    danger: true,
  },
};

/** The session's actions as buttons, each confirmed in a dialog. */
export function SessionActions({ session, onDone, only }: { session: Session; onDone?: (a: Action) => void; only?: Action[] }) {
  const api = useApi();
  const client = useQueryClient();
  const [pending, setPending] = useState<Action | null>(null);
  const name = session.name ?? session.sessionId;
  const id = encodeURIComponent(session.sessionId);
  const run = useMutation({
    mutationFn: (a: Action) => (a === 'delete' ? api.del(`/api/sessions/${id}`) : api.post(`/api/sessions/${id}/${a}`)),
    onSuccess: (_r, a) => {
      setPending(null);
      void client.invalidateQueries({ queryKey: ['sessions'] });
      void client.invalidateQueries({ queryKey: ['session'] });
      void client.invalidateQueries({ queryKey: ['qr', session.sessionId] });
      onDone?.(a);
    },
  });
  const shown = only ?? (['restart', 'stop', 'logout', 'delete'] as Action[]);
  const a = pending ? ACTIONS[pending] : null;
  return (
    <div className="actions">
      {shown.map((key) => (
        <button
          key={key}
          type="button"
          className={ACTIONS[key].danger ? 'button small danger-outline' : 'button small secondary'}
          aria-label={`${ACTIONS[key].label} ${name}`}
          onClick={() => {
            run.reset();
            setPending(key);
          }}
        >
          {ACTIONS[key].label}
        </button>
      ))}
      <ConfirmDialog
        open={!!pending}
        title={a ? a.title(name) : ''}
        confirmLabel={a?.label ?? ''}
        danger={a?.danger}
        busy={run.isPending}
        error={run.isError ? run.error.message : null}
        onConfirm={() => pending && run.mutate(pending)}
        onClose={() => setPending(null)}
      >
        <p>{a?.body}</p>
      </ConfirmDialog>
    </div>
  );
}
