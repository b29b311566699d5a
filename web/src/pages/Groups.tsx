import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../context';
import { ApiError } from '../lib/api';
import { formatPhone } from '../lib/phone';
import { useSessionList } from './Contacts';

interface Group {
  jid: string;
  subject: string;
  description: string | null;
  owner: string | null;
  createdAt: number | null;
  participants: { jid: string; phoneNumber: string | null; admin: string | null }[];
}

/** The WhatsApp groups a session's account is in, with a participant list per group. */
export function GroupsPage() {
  const api = useApi();
  const client = useQueryClient();
  const sessions = useSessionList();
  const ready = sessions.data?.sessions.filter((s) => s.status === 'READY') ?? [];
  const [sessionId, setSessionId] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  const current = sessionId || ready[0]?.sessionId || '';
  const selected = sessions.data?.sessions.find((s) => s.sessionId === current);
  const linked = selected?.status === 'READY';
  useEffect(() => setOpen(null), [current]);

  const base = `/api/sessions/${encodeURIComponent(current)}/groups`;
  const groups = useQuery({
    queryKey: ['groups', current],
    queryFn: () => api.get<{ groups: Group[]; cachedAt: string; fromCache: boolean }>(base),
    enabled: !!current && linked,
  });
  const refresh = async () => {
    setRefreshing(true);
    try {
      const fresh = await api.get<{ groups: Group[]; cachedAt: string; fromCache: boolean }>(`${base}?refresh=true`);
      client.setQueryData(['groups', current], fresh);
      void client.invalidateQueries({ queryKey: ['group', current] });
    } catch {
      void groups.refetch();
    } finally {
      setRefreshing(false);
    }
  };

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Groups</h1>
        {current && linked && (
          <button type="button" className="button secondary" onClick={() => void refresh()} disabled={refreshing}>
            {refreshing ? 'Refreshing…' : 'Refresh'}
          </button>
        )}
      </div>
      <p className="muted">The WhatsApp groups a linked session is in. Send to a group with its id as the recipient.</p>
      {sessions.data && sessions.data.sessions.length > 0 && (
        <div className="filters card">
          <div className="field">
            <label htmlFor="groups-session">Session</label>
            <select id="groups-session" value={current} onChange={(e) => setSessionId(e.target.value)}>
              {!current && <option value="">No linked session</option>}
              {sessions.data.sessions.map((s) => (
                <option key={s.sessionId} value={s.sessionId}>
                  {s.name ?? s.sessionId}
                  {s.mobile_number ? ` (${formatPhone(s.mobile_number)})` : ''}
                  {s.status !== 'READY' ? ` — ${s.status}` : ''}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      {sessions.data && !current && (
        <div className="card empty">
          <h2>No linked session</h2>
          <p>Groups are read from WhatsApp: link a session first (Sessions → New session).</p>
        </div>
      )}
      {selected && !linked && (
        <div className="card empty">
          <h2>{selected.name ?? selected.sessionId} is not connected</h2>
          <p>Groups are read from WhatsApp while the session is connected (status READY). It is {selected.status} now.</p>
        </div>
      )}
      {groups.isPending && linked && <p role="status">Loading groups…</p>}
      {groups.isError && linked && (
        <p role="alert" className="error">
          Could not load the groups: {groups.error instanceof ApiError && groups.error.code === 'SESSION_NOT_READY' ? 'the session is not connected.' : groups.error.message}
        </p>
      )}
      {linked && groups.data && groups.data.groups.length === 0 && (
        <div className="card empty">
          <h2>No group</h2>
          <p>This session's account is not in any WhatsApp group.</p>
        </div>
      )}
      {linked && groups.data && groups.data.groups.length > 0 && (
        <>
          <p className="muted">
            {groups.data.groups.length} {groups.data.groups.length === 1 ? 'group' : 'groups'}, read from WhatsApp at{' '}
            <time dateTime={groups.data.cachedAt}>{new Date(groups.data.cachedAt).toLocaleString()}</time>
          </p>
          <table className="table sessions people">
            <caption className="visually-hidden">Groups ({groups.data.groups.length})</caption>
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Group id</th>
                <th scope="col">Participants</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {groups.data.groups.map((g) => (
                <tr key={g.jid}>
                  <th scope="row" data-label="Subject">
                    {g.subject}
                  </th>
                  <td data-label="Group id">
                    <code className="break">{g.jid}</code>
                  </td>
                  <td data-label="Participants">{g.participants.length}</td>
                  <td data-label="Details">
                    <button
                      type="button"
                      className="button secondary"
                      aria-expanded={open === g.jid}
                      aria-controls="group-detail"
                      onClick={() => setOpen(open === g.jid ? null : g.jid)}
                    >
                      {open === g.jid ? 'Hide' : 'Show'} participants<span className="visually-hidden"> of {g.subject}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <div id="group-detail">{open && linked && <GroupDetail sessionId={current} groupId={open} />}</div>
    </>
  );
}

function GroupDetail({ sessionId, groupId }: { sessionId: string; groupId: string }) {
  const api = useApi();
  const group = useQuery({
    queryKey: ['group', sessionId, groupId],
    queryFn: () => api.get<{ group: Group }>(`/api/sessions/${encodeURIComponent(sessionId)}/groups/${encodeURIComponent(groupId)}`).then((r) => r.group),
  });
  if (group.isPending) return <p role="status">Loading the group…</p>;
  if (group.isError)
    return (
      <p role="alert" className="error">
        {group.error.message}
      </p>
    );
  const g = group.data;
  return (
    <section className="card" aria-labelledby="group-title">
      <h2 id="group-title">{g.subject}</h2>
      {g.description && <p>{g.description}</p>}
      <dl className="pairs">
        <div>
          <dt>Group id</dt>
          <dd>
            <code className="break">{g.jid}</code>
          </dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd>{formatPhone(g.owner) || '—'}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{g.createdAt ? new Date(g.createdAt * 1000).toLocaleString() : '—'}</dd>
        </div>
      </dl>
      <h3>Participants ({g.participants.length})</h3>
      <ul className="participants" aria-label={`Participants of ${g.subject}`}>
        {g.participants.map((p) => (
          <li key={p.jid}>
            <span className="nowrap">{formatPhone(p.phoneNumber ?? p.jid)}</span>
            {p.admin && <span className="badge">{p.admin === 'superadmin' ? 'Owner (admin)' : 'Admin'}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
