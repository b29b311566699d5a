import { useQuery } from '@tanstack/react-query';
import { CopyValue } from '../components/CopyValue';
import { LinkPanel, useSession } from '../components/LinkPanel';
import { SessionActions } from '../components/SessionActions';
import { SessionSettingsPanel } from '../components/SessionSettings';
import { StatusBadge } from '../components/StatusBadge';
import { useApi } from '../context';
import { formatPhone } from '../lib/phone';
import type { StatusChange } from '../lib/types';
import { Link, navigate } from '../router';

/** One session (deep link /ui/sessions/{id}): linking, details, actions, status history. */
export function SessionDetailPage({ id }: { id: string }) {
  const api = useApi();
  const session = useSession(id);
  const history = useQuery({
    queryKey: ['history', id],
    queryFn: () => api.get<{ history: StatusChange[] }>(`/api/sessions/${encodeURIComponent(id)}/status-history`).then((r) => r.history),
  });
  const s = session.data;

  return (
    <>
      <p className="crumbs">
        <Link to="/sessions">← Sessions</Link>
      </p>
      <h1 tabIndex={-1}>{s ? (s.name ?? s.sessionId) : 'Session'}</h1>
      {session.isError && (
        <p role="alert" className="error">
          {session.error.message}
        </p>
      )}
      {s && (
        <>
          <section className="card" aria-labelledby="link-title">
            <h2 id="link-title">Link</h2>
            <LinkPanel id={id} />
          </section>
          <section className="card" aria-labelledby="details-title">
            <h2 id="details-title">Details</h2>
            <dl className="pairs">
              <div>
                <dt>Status</dt>
                <dd>
                  <StatusBadge status={s.status} />
                </dd>
              </div>
              <div>
                <dt>Number</dt>
                <dd>{formatPhone(s.mobile_number) || '—'}</dd>
              </div>
              <div>
                <dt>Session id</dt>
                <dd>
                  <code>{s.sessionId}</code>
                </dd>
              </div>
              <div>
                <dt>Cloud API phone number id</dt>
                <dd>
                  <CopyValue value={s.phoneNumberId} label="Cloud API phone number id" />
                </dd>
              </div>
              <div>
                <dt>Cloud API WABA id</dt>
                <dd>
                  <CopyValue value={s.wabaId} label="Cloud API WhatsApp Business Account id" />
                </dd>
              </div>
              <div>
                <dt>Workspace</dt>
                <dd>{(s.settings?.workspace as string | null | undefined) ?? '—'}</dd>
              </div>
              <div>
                <dt>Engine</dt>
                <dd>{s.engine}</dd>
              </div>
              <div>
                <dt>Created</dt>
                <dd>{new Date(s.createdAt).toLocaleString()}</dd>
              </div>
            </dl>
            <SessionActions
              session={s}
              only={['restart', 'stop', 'logout', 'relink', 'delete']}
              onDone={(a) => {
                if (a === 'delete') navigate('/sessions');
              }}
            />
          </section>
          <section className="card" aria-labelledby="settings-title">
            <h2 id="settings-title">Settings</h2>
            <SessionSettingsPanel session={s} />
          </section>
          <section className="card" aria-labelledby="history-title">
            <h2 id="history-title">Status history</h2>
            {history.data && history.data.length > 0 ? (
              <ol className="history">
                {history.data.map((h, i) => (
                  <li key={`${h.at}-${i}`}>
                    <time dateTime={h.at}>{new Date(h.at).toLocaleString()}</time> <StatusBadge status={h.status} />{' '}
                    {h.reason && <span className="muted">{h.reason}</span>}
                  </li>
                ))}
              </ol>
            ) : (
              <p className="muted">{history.isPending ? 'Loading…' : 'No change recorded yet.'}</p>
            )}
          </section>
        </>
      )}
    </>
  );
}
