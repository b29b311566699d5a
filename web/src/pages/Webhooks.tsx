import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog, Dialog, FormActions } from '../components/Dialog';
import { SecretReveal } from '../components/SecretReveal';
import { useApi } from '../context';
import { checkWebhookForm, eventsLabel, formatLabel, when, WEBHOOK_EVENTS, webhookHealth, type Delivery, type Webhook } from '../lib/admin';
import type { SessionList } from '../lib/types';

export function WebhooksPage({ token }: { token: string }) {
  const api = useApi();
  const client = useQueryClient();
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  const [tested, setTested] = useState<{ webhookId: string; deliveryId: string } | null>(null);
  const list = useQuery({
    queryKey: ['webhooks'],
    queryFn: () => api.get<{ webhooks: Webhook[] }>('/api/webhooks'),
    // Deliveries are not on the event stream: health refreshes every 5 s.
    refetchInterval: 5_000,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.del(`/api/webhooks/${encodeURIComponent(id)}`),
    onSuccess: (_r, id) => {
      setDeleting(null);
      if (logOf === id) setLogOf(null);
      void client.invalidateQueries({ queryKey: ['webhooks'] });
    },
  });

  const test = useMutation({
    mutationFn: (id: string) => api.post<{ delivery: Delivery }>(`/api/webhooks/${encodeURIComponent(id)}/test`),
    onSuccess: (r, id) => {
      // The log of that webhook opens and shows the delivery as the receiver answers it.
      setTested({ webhookId: id, deliveryId: r.delivery.id });
      setLogOf(id);
      void client.invalidateQueries({ queryKey: ['webhook-deliveries', id] });
    },
  });

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Webhooks</h1>
        <button type="button" className="button primary" onClick={() => setEditing('new')}>
          New webhook
        </button>
      </div>
      <p className="muted">Switchboard POSTs events to these addresses, signed, in order, retried until they answer 2xx.</p>
      {list.isPending && <p role="status">Loading webhooks…</p>}
      {list.isError && (
        <p role="alert" className="error">
          Could not load the webhooks: {list.error.message}
        </p>
      )}
      {list.data && list.data.webhooks.length === 0 && (
        <div className="card empty">
          <h2>No webhook yet</h2>
          <p>Choose “New webhook” to send events to your CRM, n8n or any HTTP receiver.</p>
        </div>
      )}
      {list.data && list.data.webhooks.length > 0 && (
        <table className="table sessions admin-table">
          <caption className="visually-hidden">Webhooks ({list.data.webhooks.length})</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Format</th>
              <th scope="col">Sessions</th>
              <th scope="col">Health</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.webhooks.map((w) => (
              <tr key={w.id}>
                <th scope="row" data-label="URL" className="break">
                  {w.url}
                </th>
                <td data-label="Events">{eventsLabel(w.events)}</td>
                <td data-label="Format">{formatLabel(w.format)}</td>
                <td data-label="Sessions">{w.sessionId ?? 'All sessions'}</td>
                <td data-label="Health">{webhookHealth(w)}</td>
                <td data-label="Actions">
                  <div className="row-actions">
                    <button type="button" className="button small secondary" aria-pressed={logOf === w.id} onClick={() => setLogOf(logOf === w.id ? null : w.id)} aria-label={`Deliveries of ${w.url}`}>
                      Deliveries
                    </button>
                    <button
                      type="button"
                      className="button small secondary"
                      disabled={test.isPending || !w.active}
                      title={w.active ? undefined : 'Paused webhooks get no deliveries'}
                      onClick={() => test.mutate(w.id)}
                      aria-label={`Send a test to ${w.url}`}
                    >
                      Send test
                    </button>
                    <button type="button" className="button small secondary" onClick={() => setEditing(w)} aria-label={`Edit ${w.url}`}>
                      Edit
                    </button>
                    <button type="button" className="button small danger-outline" onClick={() => setDeleting(w)} aria-label={`Delete ${w.url}`}>
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {test.isError && <ApiErrorAlert error={test.error} prefix="Could not send a test" />}
      {logOf && list.data?.webhooks.some((w) => w.id === logOf) && (
        <DeliveryLog webhook={list.data.webhooks.find((w) => w.id === logOf)!} testId={tested?.webhookId === logOf ? tested.deliveryId : null} />
      )}
      <WebhookDialog key={editing === null ? 'closed' : editing === 'new' ? 'new' : editing.id} editing={editing} token={token} onClose={() => setEditing(null)} />
      <ConfirmDialog
        open={!!deleting}
        title="Delete this webhook?"
        confirmLabel="Delete webhook"
        danger
        busy={remove.isPending}
        error={remove.isError ? remove.error.message : null}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
      >
        <p className="break">{deleting?.url}</p>
        <p>Its pending deliveries and its delivery log are deleted too.</p>
      </ConfirmDialog>
    </>
  );
}

function ApiErrorAlert({ error, prefix }: { error: Error; prefix: string }) {
  const code = (error as { code?: string }).code;
  return (
    <p role="alert" className="error">
      {prefix}: {error.message}
      {code ? <> (<code>{code}</code>)</> : null}
    </p>
  );
}

function DeliveryLog({ webhook, testId }: { webhook: Webhook; testId: string | null }) {
  const api = useApi();
  const client = useQueryClient();
  const base = `/api/webhooks/${encodeURIComponent(webhook.id)}`;
  const log = useQuery({
    queryKey: ['webhook-deliveries', webhook.id],
    queryFn: () => api.get<{ deliveries: Delivery[] }>(`${base}/deliveries?limit=50`),
    // Every 2 s; every half second while a test just sent has no answer yet.
    refetchInterval: (q) => {
      const t = testId ? q.state.data?.deliveries.find((d) => d.id === testId) : null;
      return testId && (!t || t.status === 'PENDING') ? 500 : 2_000;
    },
  });
  const redeliver = useMutation({
    mutationFn: (id: string) => api.post(`${base}/deliveries/${encodeURIComponent(id)}/redeliver`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['webhook-deliveries', webhook.id] });
      void client.invalidateQueries({ queryKey: ['webhooks'] });
    },
  });
  return (
    <section className="card admin-card" aria-labelledby="log-head">
      <h2 id="log-head" className="break">
        Deliveries to {webhook.url}
      </h2>
      {log.isPending && <p role="status">Loading deliveries…</p>}
      {log.isError && (
        <p role="alert" className="error">
          Could not load the deliveries: {log.error.message}
        </p>
      )}
      {redeliver.isError && (
        <p role="alert" className="error">
          Could not redeliver: {redeliver.error.message}
        </p>
      )}
      {testId && <TestOutcome delivery={log.data?.deliveries.find((d) => d.id === testId) ?? null} />}
      {log.data && log.data.deliveries.length === 0 && <p className="muted">No delivery yet: events this webhook subscribes to appear here as they are sent.</p>}
      {log.data && log.data.deliveries.length > 0 && (
        <table className="table sessions admin-table deliveries">
          <caption className="visually-hidden">Deliveries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Response</th>
              <th scope="col">Attempts</th>
              <th scope="col">Created</th>
              <th scope="col">Last attempt</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {log.data.deliveries.map((d) => (
              <tr key={d.id} className={d.id === testId ? 'row-highlight' : undefined}>
                <th scope="row" data-label="Event">
                  {d.event}
                  {d.id === testId && <span className="muted"> (your test)</span>}
                </th>
                <td data-label="Status">
                  <span className={`badge ${d.status === 'DELIVERED' ? 'badge-good' : d.status === 'FAILED' ? 'badge-bad' : 'badge-busy'}`}>{d.status}</span>
                </td>
                <td data-label="Response">
                  {d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : d.lastError ?? <span className="muted">none yet</span>}
                  {d.lastStatusCode !== null && d.lastError && ` (${d.lastError})`}
                </td>
                <td data-label="Attempts">{d.attemptCount}</td>
                <td data-label="Created">{when(d.createdAt)}</td>
                <td data-label="Last attempt">{when(d.lastAttemptAt, 'not yet')}</td>
                <td data-label="Actions">
                  <button type="button" className="button small secondary" disabled={redeliver.isPending} onClick={() => redeliver.mutate(d.id)} aria-label={`Redeliver ${d.event} of ${when(d.createdAt)}`}>
                    Redeliver
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** What became of the test just sent, as words (the log below has the same row). */
function TestOutcome({ delivery }: { delivery: Delivery | null }) {
  let text = 'Test delivery queued…';
  if (delivery?.status === 'DELIVERED') text = `Test delivered: the receiver answered HTTP ${delivery.lastStatusCode}.`;
  else if (delivery?.status === 'FAILED') text = `Test failed: ${delivery.lastStatusCode !== null ? `HTTP ${delivery.lastStatusCode}` : delivery.lastError ?? 'no answer'}.`;
  else if (delivery && delivery.attemptCount > 0)
    text = `Test not delivered yet (${delivery.lastStatusCode !== null ? `HTTP ${delivery.lastStatusCode}` : delivery.lastError ?? 'no answer'}); retrying.`;
  return (
    <p role="status" className={delivery?.status === 'FAILED' ? 'error' : undefined}>
      {text}
    </p>
  );
}

function WebhookDialog({ editing, token, onClose }: { editing: Webhook | 'new' | null; token: string; onClose: () => void }) {
  const api = useApi();
  const client = useQueryClient();
  const existing = editing && editing !== 'new' ? editing : null;
  const [url, setUrl] = useState(existing?.url ?? '');
  const [all, setAll] = useState(existing ? existing.events.includes('*') : true);
  const [events, setEvents] = useState<string[]>(existing && !existing.events.includes('*') ? existing.events : []);
  const [format, setFormat] = useState(existing?.format ?? 'native');
  const [sessionId, setSessionId] = useState(existing?.sessionId ?? '');
  const [secret, setSecret] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: () => api.get<SessionList>('/api/sessions?limit=1000'), enabled: editing !== null });
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      existing ? api.patch<{ webhook: Webhook }>(`/api/webhooks/${encodeURIComponent(existing.id)}`, body) : api.post<{ webhook: Webhook }>('/api/webhooks', body),
    onSuccess: (r) => {
      void client.invalidateQueries({ queryKey: ['webhooks'] });
      if (!existing && r.webhook.secret && !secret) setCreated(r.webhook.secret);
      else onClose();
    },
  });
  const toggle = (e: string) => setEvents((cur) => (cur.includes(e) ? cur.filter((x) => x !== e) : [...cur, e]));
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    const chosen = all ? ['*'] : WEBHOOK_EVENTS.filter((e) => events.includes(e));
    const err = checkWebhookForm({ url, events: chosen });
    setFormError(err);
    if (err) return;
    const body: Record<string, unknown> = { url: url.trim(), events: chosen };
    if (!existing) {
      body.format = format;
      if (sessionId) body.sessionId = sessionId;
    } else if ((existing.sessionId ?? '') !== sessionId) body.sessionId = sessionId || null;
    if (secret) body.secret = secret;
    save.mutate(body);
  };
  return (
    <Dialog open={editing !== null} title={created ? 'Webhook created' : existing ? 'Edit webhook' : 'New webhook'} onClose={onClose} wide>
      {created ? (
        <>
          <p>Use this secret to verify the X-Switchboard-Signature header of each delivery.</p>
          <SecretReveal label="Signing secret" secret={created} />
          <div className="dialog-actions">
            <button type="button" className="button primary" onClick={onClose}>
              I have copied it
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <label htmlFor="wh-url">URL</label>
          <input id="wh-url" type="url" inputMode="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://crm.example.com/wa" data-autofocus />
          <fieldset>
            <legend>Events</legend>
            <label className="radio">
              <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
              All events
            </label>
            {!all &&
              WEBHOOK_EVENTS.map((e) => (
                <label className="radio" key={e}>
                  <input type="checkbox" checked={events.includes(e)} onChange={() => toggle(e)} />
                  {e}
                </label>
              ))}
          </fieldset>
          <fieldset disabled={!!existing}>
            <legend>Format{existing ? ' (fixed once created)' : ''}</legend>
            <label className="radio">
              <input type="radio" name="wh-format" value="native" checked={format === 'native'} onChange={() => setFormat('native')} />
              Native (the Switchboard envelope)
            </label>
            <label className="radio">
              <input type="radio" name="wh-format" value="cloud-api" checked={format === 'cloud-api'} onChange={() => setFormat('cloud-api')} />
              Cloud API (Meta’s webhook format)
            </label>
          </fieldset>
          <label htmlFor="wh-session">Sessions</label>
          <select id="wh-session" value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
            <option value="">All sessions</option>
            {sessions.data?.sessions.map((s) => (
              <option key={s.sessionId} value={s.sessionId}>
                {s.name ?? s.sessionId}
              </option>
            ))}
          </select>
          <label htmlFor="wh-secret">Secret</label>
          <input id="wh-secret" type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} aria-describedby="wh-secret-hint" />
          <p id="wh-secret-hint" className="hint">
            {existing ? 'Empty keeps the current secret.' : 'Empty: one is generated and shown once.'} 16 to 256 characters.
          </p>
          <FormActions
            error={formError ?? (save.isError ? save.error.message : null)}
            pending={save.isPending}
            submitLabel={existing ? 'Save webhook' : 'Create webhook'}
            pendingLabel="Saving…"
            onCancel={onClose}
          />
        </form>
      )}
    </Dialog>
  );
}
