import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorAlert, fetchBlob, MessageStatusBadge, when, type Message, type MessageList } from '../components/MessageLive';
import { useApi } from '../context';
import { canCancel, canResend, MESSAGE_STATUSES, messagePreview, messagesPath, previewKind, type MessageFilters } from '../lib/messages';
import { formatPhone, phoneDigits } from '../lib/phone';
import type { SessionList } from '../lib/types';
import { Link } from '../router';

const PAGE_SIZE = 25;

export function MessagesPage() {
  const api = useApi();
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: () => api.get<SessionList>('/api/sessions?limit=1000') });
  const names = new Map((sessions.data?.sessions ?? []).map((s) => [s.sessionId, s.name ?? s.sessionId]));

  const [draft, setDraft] = useState<MessageFilters>({});
  const [filters, setFilters] = useState<MessageFilters>({});
  const [chatError, setChatError] = useState<string | null>(null);
  // The cursors of the pages before the current one (the first page has none).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const list = useQuery({
    queryKey: ['messages', filters, cursor],
    queryFn: () => api.get<MessageList>(messagesPath(filters, PAGE_SIZE, cursor)),
  });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    let chat = draft.chat?.trim();
    if (chat) {
      const d = phoneDigits(chat);
      if (!d && !chat.includes('@')) {
        setChatError('Enter the recipient in international form, e.g. +91 98765 43210.');
        return;
      }
      chat = d ?? chat;
    }
    setChatError(null);
    setFilters({ ...draft, chat: chat || undefined });
    setCursors([null]);
  };
  const clear = () => {
    setDraft({});
    setFilters({});
    setChatError(null);
    setCursors([null]);
  };
  const set = (k: keyof MessageFilters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value || undefined }));

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Messages</h1>
        <Link to="/send" className="button primary">
          Send a message
        </Link>
      </div>
      <p className="muted">Every message sent and received, newest first. New ones and status changes appear live.</p>
      <form className="card filters" onSubmit={apply} aria-label="Filters">
        <div className="filter-grid">
          <div>
            <label htmlFor="f-session">Session</label>
            <select id="f-session" value={draft.sessionId ?? ''} onChange={set('sessionId')}>
              <option value="">All sessions</option>
              {sessions.data?.sessions.map((s) => (
                <option key={s.sessionId} value={s.sessionId}>
                  {s.name ?? s.sessionId}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="f-direction">Direction</label>
            <select id="f-direction" value={draft.direction ?? ''} onChange={set('direction')}>
              <option value="">Both</option>
              <option value="outbound">Outbound</option>
              <option value="inbound">Inbound</option>
            </select>
          </div>
          <div>
            <label htmlFor="f-status">Status</label>
            <select id="f-status" value={draft.status ?? ''} onChange={set('status')}>
              <option value="">Any</option>
              {MESSAGE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="f-chat">Recipient</label>
            <input id="f-chat" type="tel" value={draft.chat ?? ''} onChange={set('chat')} placeholder="+91 98765 43210" aria-invalid={chatError ? true : undefined} />
          </div>
          <div>
            <label htmlFor="f-from">From date</label>
            <input id="f-from" type="date" value={draft.fromDate ?? ''} onChange={set('fromDate')} />
          </div>
          <div>
            <label htmlFor="f-to">To date</label>
            <input id="f-to" type="date" value={draft.toDate ?? ''} onChange={set('toDate')} />
          </div>
        </div>
        {chatError && (
          <p role="alert" className="error">
            {chatError}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button primary">
            Apply filters
          </button>
          <button type="button" className="button secondary" onClick={clear}>
            Clear
          </button>
        </div>
      </form>

      {list.isPending && <p role="status">Loading messages…</p>}
      {list.isError && <ErrorAlert error={list.error} prefix="Could not load the messages" />}
      {list.data && list.data.messages.length === 0 && (
        <div className="card empty">
          <h2>No messages</h2>
          <p>Nothing matches these filters{cursors.length > 1 ? ' on this page' : ''}.</p>
        </div>
      )}
      {list.data && list.data.messages.length > 0 && (
        <table className="table messages">
          <caption className="visually-hidden">Messages, page {cursors.length}</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Session</th>
              <th scope="col">Direction</th>
              <th scope="col">Recipient</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Text</th>
            </tr>
          </thead>
          <tbody>
            {list.data.messages.map((m) => (
              <tr key={m.id}>
                <th scope="row" data-label="Time" className="nowrap">
                  <Link to={`/messages/${m.id}`} aria-label={`Message ${m.number}, ${when(m.createdAt)}`}>
                    {when(m.createdAt)}
                  </Link>
                </th>
                <td data-label="Session">{names.get(m.sessionId) ?? m.sessionId}</td>
                <td data-label="Direction">{m.direction === 'outbound' ? 'Out' : 'In'}</td>
                <td data-label="Recipient" className="nowrap">
                  {formatPhone(m.chat)}
                </td>
                <td data-label="Type">{m.type}</td>
                <td data-label="Status">
                  <MessageStatusBadge status={m.status} />
                </td>
                <td data-label="Text" className="msg-preview">
                  {messagePreview(m) || <span className="muted">—</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager actions" aria-label="Pages">
        <button type="button" className="button secondary" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          className="button secondary"
          disabled={!list.data?.nextCursor}
          onClick={() => list.data?.nextCursor && setCursors((c) => [...c, list.data.nextCursor ?? null])}
        >
          Older
        </button>
      </nav>
    </>
  );
}

export function MessageDetailPage({ id }: { id: string }) {
  const api = useApi();
  const client = useQueryClient();
  const q = useQuery({ queryKey: ['message', id], queryFn: () => api.get<{ message: Message }>(`/api/messages/${encodeURIComponent(id)}`) });
  const m = q.data?.message;
  const [confirm, setConfirm] = useState<'cancel' | 'resend' | null>(null);
  const action = useMutation({
    mutationFn: (what: 'cancel' | 'resend') =>
      what === 'cancel' ? api.del(`/api/messages/${encodeURIComponent(id)}`) : api.post(`/api/messages/${encodeURIComponent(id)}/resend`),
    onSuccess: () => {
      setConfirm(null);
      void client.invalidateQueries({ queryKey: ['message', id] });
      void client.invalidateQueries({ queryKey: ['messages'] });
    },
  });

  return (
    <>
      <p className="crumbs">
        <Link to="/messages">Messages</Link> /
      </p>
      <h1 tabIndex={-1}>{m ? `Message ${m.number}` : 'Message'}</h1>
      {q.isPending && <p role="status">Loading the message…</p>}
      {q.isError && <ErrorAlert error={q.error} prefix="Could not load the message" />}
      {m && (
        <>
          <div className="card">
            <dl className="pairs">
              <dt>Status</dt>
              <dd>
                <MessageStatusBadge status={m.status} />
                {m.heldReason && <span className="muted"> held: {m.heldReason}</span>}
              </dd>
              <dt>{m.direction === 'outbound' ? 'To' : 'From'}</dt>
              <dd>{formatPhone(m.chat)}</dd>
              <dt>Session</dt>
              <dd>
                <Link to={`/sessions/${encodeURIComponent(m.sessionId)}`}>{m.sessionId}</Link>
              </dd>
              <dt>Type</dt>
              <dd>{m.type}</dd>
              <dt>Created</dt>
              <dd>{when(m.createdAt)}</dd>
              <dt>Attempts</dt>
              <dd>{m.attempts}</dd>
              <dt>Id</dt>
              <dd className="break">{m.id}</dd>
            </dl>
            {messagePreview(m) && <p className="msg-text">{messagePreview(m)}</p>}
            {m.error && (
              <p className="error">
                {m.error.message} (<code>{m.error.code}</code>)
              </p>
            )}
            {(canCancel(m) || canResend(m)) && (
              <div className="actions">
                {canCancel(m) && (
                  <button type="button" className="button danger" onClick={() => setConfirm('cancel')}>
                    Cancel message
                  </button>
                )}
                {canResend(m) && (
                  <button type="button" className="button primary" onClick={() => setConfirm('resend')}>
                    Resend
                  </button>
                )}
              </div>
            )}
            {action.isError && !confirm && <ErrorAlert error={action.error} />}
          </div>
          {previewKind(m) && <MediaPreview id={m.id} kind={previewKind(m)!} />}
          <section className="card">
            <h2>Status history</h2>
            <ol className="history" aria-label="Status history">
              {m.statusHistory.map((h, i) => (
                <li key={i}>
                  <MessageStatusBadge status={h.status} /> <span className="nowrap">{when(h.at)}</span>
                  {h.reason && <span className="muted"> · {h.reason}</span>}
                </li>
              ))}
            </ol>
          </section>
          <ConfirmDialog
            open={confirm !== null}
            title={confirm === 'cancel' ? 'Cancel this message?' : 'Resend this message?'}
            confirmLabel={confirm === 'cancel' ? 'Cancel message' : 'Resend'}
            danger={confirm === 'cancel'}
            busy={action.isPending}
            error={action.isError ? `${action.error.message}` : null}
            onConfirm={() => confirm && action.mutate(confirm)}
            onClose={() => {
              setConfirm(null);
              action.reset();
            }}
          >
            {confirm === 'cancel' ? (
              <p>It has not been sent yet; it will not be sent.</p>
            ) : (
              <p>It goes back to the queue with the same WhatsApp id, so the recipient never gets it twice.</p>
            )}
          </ConfirmDialog>
        </>
      )}
    </>
  );
}

function MediaPreview({ id, kind }: { id: string; kind: 'image' | 'audio' | 'video' }) {
  const media = useQuery({ queryKey: ['message-media', id], queryFn: () => fetchBlob(`/api/messages/${encodeURIComponent(id)}/media`), staleTime: Infinity });
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!media.data) return;
    const u = URL.createObjectURL(media.data);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [media.data]);
  return (
    <section className="card">
      <h2>Media</h2>
      {media.isPending && <p role="status">Loading the media…</p>}
      {media.isError && <ErrorAlert error={media.error} prefix="Could not load the media" />}
      {url && kind === 'image' && <img src={url} alt="The message's image" className="media-preview" />}
      {url && kind === 'audio' && <audio controls src={url} aria-label="The message's audio" />}
      {url && kind === 'video' && <video controls src={url} aria-label="The message's video" className="media-preview" />}
    </section>
  );
}
