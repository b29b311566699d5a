import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Dialog, FormActions } from '../components/Dialog';
import { LinkPanel } from '../components/LinkPanel';
import { SessionActions } from '../components/SessionActions';
import { StatusBadge } from '../components/StatusBadge';
import { useApi } from '../context';
import { formatPhone, phoneDigits } from '../lib/phone';
import type { SessionList } from '../lib/types';
import { Link } from '../router';

export function SessionsPage() {
  const api = useApi();
  const [creating, setCreating] = useState(false);
  const list = useQuery({
    queryKey: ['sessions'],
    queryFn: () => api.get<SessionList>('/api/sessions?limit=1000'),
    // Events keep it current (session.created, session.status); a slow reload is the fallback
    // for anything the stream could not say (an outbox pruned while the tab was offline).
    refetchInterval: 300_000,
  });

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Sessions</h1>
        <button type="button" className="button primary" onClick={() => setCreating(true)}>
          New session
        </button>
      </div>
      <p className="muted">Each session is one WhatsApp number linked to this server.</p>
      {list.isPending && <p role="status">Loading sessions…</p>}
      {list.isError && (
        <p role="alert" className="error">
          Could not load the sessions: {list.error.message}
        </p>
      )}
      {list.data && list.data.sessions.length === 0 && (
        <div className="card empty">
          <h2>No session yet</h2>
          <p>Link a WhatsApp number: choose “New session”, then scan the QR code with the phone.</p>
        </div>
      )}
      {list.data && list.data.sessions.length > 0 && (
        <table className="table sessions">
          <caption className="visually-hidden">Sessions ({list.data.total})</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Number</th>
              <th scope="col">Status</th>
              <th scope="col">Workspace</th>
              <th scope="col">Health</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.sessions.map((s) => (
              <tr key={s.sessionId}>
                <th scope="row" data-label="Name">
                  <Link to={`/sessions/${encodeURIComponent(s.sessionId)}`}>{s.name ?? s.sessionId}</Link>
                </th>
                <td data-label="Number" className="nowrap">{formatPhone(s.mobile_number) || <span className="muted">not linked</span>}</td>
                <td data-label="Status">
                  <StatusBadge status={s.status} />
                </td>
                <td data-label="Workspace">{(s.settings?.workspace as string | null | undefined) ?? <span className="muted">none</span>}</td>
                <td data-label="Health">
                  <Health s={s} />
                </td>
                <td data-label="Actions">
                  <SessionActions session={s} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewSessionDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}

function Health({ s }: { s: SessionList['sessions'][number] }) {
  if (s.health.lastError) return <span>Last error: {s.health.lastError}</span>;
  if (s.status === 'READY' && s.health.connectedSince) return <span>Connected since {since(s.health.connectedSince)}</span>;
  if (s.health.reconnectAttempts > 0) return <span>{s.health.reconnectAttempts} reconnect attempts</span>;
  return <span className="muted">—</span>;
}

/** "14:05" today, "3 Dec, 14:05" before. */
function since(iso: string): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })}, ${time}`;
}

function NewSessionDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const api = useApi();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [method, setMethod] = useState<'qr' | 'phone'>('qr');
  const [phone, setPhone] = useState('');
  const [phoneError, setPhoneError] = useState<string | null>(null);
  const [createdId, setCreatedId] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: { name?: string; method: 'qr' | 'phone'; phoneNumber?: string }) =>
      api.post<{ session: { sessionId: string } }>('/api/sessions', body),
    onSuccess: (r) => {
      setCreatedId(r.session.sessionId);
      void client.invalidateQueries({ queryKey: ['sessions'] });
    },
  });

  const close = () => {
    onClose();
    setName('');
    setPhone('');
    setMethod('qr');
    setPhoneError(null);
    setCreatedId(null);
    create.reset();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    let phoneNumber: string | undefined;
    if (method === 'phone') {
      const digits = phoneDigits(phone);
      if (!digits) {
        setPhoneError('Enter the number in international form, with its country code, e.g. +91 98765 43210.');
        return;
      }
      phoneNumber = digits;
    }
    setPhoneError(null);
    create.mutate({ ...(name.trim() ? { name: name.trim() } : {}), method, ...(phoneNumber ? { phoneNumber } : {}) });
  };

  return (
    <Dialog open={open} title={createdId ? `Link ${name.trim() || 'the new session'}` : 'New session'} onClose={close} wide>
      {createdId ? (
        <>
          <LinkPanel id={createdId} />
          <div className="dialog-actions">
            <button type="button" className="button secondary" onClick={close}>
              Close
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <label htmlFor="session-name">Name</label>
          <input id="session-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="Support" data-autofocus />
          <fieldset>
            <legend>Link with</legend>
            <label className="radio">
              <input type="radio" name="method" value="qr" checked={method === 'qr'} onChange={() => setMethod('qr')} />
              QR code (scan it with the phone)
            </label>
            <label className="radio">
              <input type="radio" name="method" value="phone" checked={method === 'phone'} onChange={() => setMethod('phone')} />
              Pairing code (type it on the phone)
            </label>
          </fieldset>
          {method === 'phone' && (
            <>
              <label htmlFor="session-phone">Phone number</label>
              <input
                id="session-phone"
                type="tel"
                inputMode="tel"
                autoComplete="tel"
                value={phone}
                onChange={(e) => setPhone(e.target.value)}
                placeholder="+91 98765 43210"
                aria-describedby="session-phone-hint"
                aria-invalid={phoneError ? true : undefined}
              />
              <p id="session-phone-hint" className="hint">
                The number of the phone that will link, with its country code.
              </p>
              {phoneError && (
                <p role="alert" className="error">
                  {phoneError}
                </p>
              )}
            </>
          )}
          <FormActions
            error={create.isError ? create.error.message : null}
            pending={create.isPending}
            submitLabel="Create session"
            pendingLabel="Creating…"
            onCancel={close}
          />
        </form>
      )}
    </Dialog>
  );
}
