import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../context';
import { formatPhone } from '../lib/phone';
import type { SessionList } from '../lib/types';

export interface Contact {
  sessionId: string;
  jid: string;
  phoneNumber: string | null;
  name: string | null;
  pushName: string | null;
  optIn: 'pending' | 'yes' | 'no' | null;
  optInAt: string | null;
  updatedAt: string;
}

const PAGE_SIZE = 25;
const OPT_IN_LABEL: Record<string, string> = { yes: 'Opted in', no: 'Opted out', pending: 'Asked, no answer' };

/** Hook for the session selector both people pages share. */
export function useSessionList() {
  const api = useApi();
  return useQuery({ queryKey: ['sessions'], queryFn: () => api.get<SessionList>('/api/sessions?limit=1000') });
}

/** Contacts of one session or of all, with search, opt-in filter and paging; opt-in editable. */
export function ContactsPage() {
  const api = useApi();
  const sessions = useSessionList();
  const [sessionId, setSessionId] = useState('');
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [optIn, setOptIn] = useState('');
  const [page, setPage] = useState(1);

  // Search as one types, once the typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 300);
    return () => clearTimeout(timer);
  }, [typed]);
  useEffect(() => setPage(1), [sessionId, q, optIn]);

  const params = new URLSearchParams({ page: String(page), limit: String(PAGE_SIZE) });
  if (q) params.set('q', q);
  if (optIn) params.set('optIn', optIn);
  const path = sessionId ? `/api/sessions/${encodeURIComponent(sessionId)}/contacts?${params}` : `/api/contacts?${params}`;
  const list = useQuery({
    queryKey: ['contacts', sessionId, q, optIn, page],
    queryFn: () => api.get<{ contacts: Contact[]; total: number; page: number; limit: number }>(path),
    placeholderData: keepPreviousData,
  });
  const sessionName = (id: string) => {
    const s = sessions.data?.sessions.find((x) => x.sessionId === id);
    return s ? (s.name ?? s.sessionId) : id;
  };
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / PAGE_SIZE)) : 1;

  return (
    <>
      <h1 tabIndex={-1}>Contacts</h1>
      <p className="muted">Everyone a session knows: from WhatsApp's contact sync and everyone who wrote in. Opt-in decides who may get messages where a session requires it.</p>
      <form className="filters card" role="search" aria-label="Contacts" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="contacts-session">Session</label>
          <select id="contacts-session" value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
            <option value="">All sessions</option>
            {sessions.data?.sessions.map((s) => (
              <option key={s.sessionId} value={s.sessionId}>
                {s.name ?? s.sessionId}
                {s.mobile_number ? ` (${formatPhone(s.mobile_number)})` : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="contacts-q">Search</label>
          <input id="contacts-q" type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="Name or number" />
        </div>
        <div className="field">
          <label htmlFor="contacts-optin">Opt-in</label>
          <select id="contacts-optin" value={optIn} onChange={(e) => setOptIn(e.target.value)}>
            <option value="">Any</option>
            <option value="yes">Opted in</option>
            <option value="no">Opted out</option>
            <option value="pending">Asked, no answer</option>
          </select>
        </div>
      </form>
      {list.isPending && <p role="status">Loading contacts…</p>}
      {list.isError && (
        <p role="alert" className="error">
          Could not load the contacts: {list.error.message}
        </p>
      )}
      {list.data && list.data.contacts.length === 0 && (
        <div className="card empty">
          <h2>No contact found</h2>
          <p>{q || optIn ? 'No contact matches this search.' : 'Contacts appear here when WhatsApp syncs them or when someone writes to a session.'}</p>
        </div>
      )}
      {list.data && list.data.contacts.length > 0 && (
        <>
          <p className="muted" role="status">
            {list.data.total} {list.data.total === 1 ? 'contact' : 'contacts'}
          </p>
          <table className="table sessions people">
            <caption className="visually-hidden">Contacts ({list.data.total})</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Number</th>
                {!sessionId && <th scope="col">Session</th>}
                <th scope="col">Opt-in</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.data.contacts.map((c) => (
                <tr key={`${c.sessionId}|${c.jid}`}>
                  <th scope="row" data-label="Name">
                    {c.name ?? c.pushName ?? <span className="muted">no name</span>}
                  </th>
                  <td data-label="Number" className="nowrap">
                    {formatPhone(c.phoneNumber ?? c.jid)}
                  </td>
                  {!sessionId && <td data-label="Session">{sessionName(c.sessionId)}</td>}
                  <td data-label="Opt-in">
                    <OptInControl contact={c} label={`Opt-in of ${c.name ?? c.pushName ?? formatPhone(c.phoneNumber ?? c.jid)}`} />
                  </td>
                  <td data-label="Updated">
                    <time dateTime={c.updatedAt}>{new Date(c.updatedAt).toLocaleString()}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pages > 1 && (
            <nav className="pager" aria-label="Contact pages">
              <button type="button" className="button secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                Previous
              </button>
              <span>
                Page {page} of {pages}
              </span>
              <button type="button" className="button secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
                Next
              </button>
            </nav>
          )}
        </>
      )}
    </>
  );
}

function OptInControl({ contact, label }: { contact: Contact; label: string }) {
  const api = useApi();
  const client = useQueryClient();
  const number = contact.phoneNumber ?? contact.jid;
  const set = useMutation({
    mutationFn: (optIn: string) => api.patch(`/api/sessions/${encodeURIComponent(contact.sessionId)}/contacts/${encodeURIComponent(number)}`, { optIn }),
    onSettled: () => client.invalidateQueries({ queryKey: ['contacts'] }),
  });
  const value = set.isPending ? (set.variables ?? contact.optIn ?? '') : (contact.optIn ?? '');
  return (
    <>
      <select aria-label={label} value={value} disabled={set.isPending} onChange={(e) => set.mutate(e.target.value)}>
        {!contact.optIn && <option value="">No answer yet</option>}
        <option value="yes">{OPT_IN_LABEL.yes}</option>
        <option value="no">{OPT_IN_LABEL.no}</option>
        <option value="pending">{OPT_IN_LABEL.pending}</option>
      </select>
      {set.isError && (
        <span role="alert" className="error">
          {' '}
          {set.error.message}
        </span>
      )}
    </>
  );
}
