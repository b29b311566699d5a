import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { HourlyChart, INBOUND_SERIES, OUTBOUND_SERIES } from '../components/HourlyChart';
import { StatusBadge } from '../components/StatusBadge';
import { useApi } from '../context';
import { hourlySeries, total } from '../lib/series';
import type { Overview } from '../lib/types';
import { Link } from '../router';

const OUTBOUND_ORDER = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'PLAYED', 'FAILED', 'OPTED_OUT', 'EXPIRED', 'CANCELED'];

export function OverviewPage() {
  const api = useApi();
  const q = useQuery({
    queryKey: ['overview'],
    queryFn: () => api.get<{ overview: Overview }>('/api/dashboard/overview').then((r) => r.overview),
    // Hours roll over even when nothing happens.
    refetchInterval: 60_000,
  });
  const series = useMemo(() => (q.data ? hourlySeries(q.data.messages.hourly, new Date()) : []), [q.data]);

  return (
    <>
      <h1 tabIndex={-1}>Overview</h1>
      {q.isPending && <p role="status">Loading the figures…</p>}
      {q.isError && (
        <p role="alert" className="error">
          Could not load the overview: {q.error.message}
        </p>
      )}
      {q.data && <OverviewBody o={q.data} series={series} />}
    </>
  );
}

function OverviewBody({ o, series }: { o: Overview; series: ReturnType<typeof hourlySeries> }) {
  const outbound = Object.entries(o.messages.last24h.outbound).sort(([a], [b]) => OUTBOUND_ORDER.indexOf(a) - OUTBOUND_ORDER.indexOf(b));
  const failing = o.webhooks.failedLast24h;
  return (
    <>
      <div className="stats">
        <section className="card stat" aria-labelledby="stat-sessions">
          <h2 id="stat-sessions">Sessions</h2>
          <p className="big">{o.sessions.total}</p>
          <p className="muted">{o.sessions.live} connected to this server</p>
          {o.sessions.total === 0 ? (
            <p>
              No session yet: <Link to="/sessions">link a number</Link>.
            </p>
          ) : (
            <dl className="pairs">
              {Object.entries(o.sessions.byStatus).map(([status, n]) => (
                <div key={status}>
                  <dt>
                    <StatusBadge status={status} />
                  </dt>
                  <dd>{n}</dd>
                </div>
              ))}
            </dl>
          )}
        </section>
        <section className="card stat" aria-labelledby="stat-messages">
          <h2 id="stat-messages">Messages, last 24 hours</h2>
          <p className="big">{total(o.messages.last24h.outbound)}</p>
          <p className="muted">sent by your sessions · {o.messages.last24h.inbound} received</p>
          {outbound.length > 0 && (
            <dl className="pairs">
              {outbound.map(([status, n]) => (
                <div key={status}>
                  <dt>{status}</dt>
                  <dd>{n}</dd>
                </div>
              ))}
            </dl>
          )}
        </section>
        <section className="card stat" aria-labelledby="stat-queue">
          <h2 id="stat-queue">Queue</h2>
          <p className="big">{o.messages.queued}</p>
          <p className="muted">messages waiting to be sent</p>
        </section>
        <section className={failing > 0 ? 'card stat stat-alert' : 'card stat'} aria-labelledby="stat-webhooks">
          <h2 id="stat-webhooks">Webhooks</h2>
          <p className="big">{failing}</p>
          <p className="muted">failed deliveries in the last 24 hours</p>
          <dl className="pairs">
            <div>
              <dt>Active</dt>
              <dd>
                {o.webhooks.active} of {o.webhooks.total}
              </dd>
            </div>
            <div>
              <dt>Pending</dt>
              <dd>{o.webhooks.pending}</dd>
            </div>
            <div>
              <dt>Delivered (24 h)</dt>
              <dd>{o.webhooks.deliveredLast24h}</dd>
            </div>
          </dl>
        </section>
      </div>
      <section className="card" aria-labelledby="chart-outbound">
        <h2 id="chart-outbound">Messages sent per hour</h2>
        <p className="muted">Each message counted in the hour it was sent, delivered, read or failed.</p>
        <HourlyChart title="Messages sent per hour" lines={OUTBOUND_SERIES} series={series} />
      </section>
      <section className="card" aria-labelledby="chart-inbound">
        <h2 id="chart-inbound">Messages received per hour</h2>
        <HourlyChart title="Messages received per hour" lines={INBOUND_SERIES} series={series} />
      </section>
    </>
  );
}
