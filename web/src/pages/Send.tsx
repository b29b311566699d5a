import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { ErrorAlert, fetchBlob, MessageStatusBadge, tabToken, type Message } from '../components/MessageLive';
import { useApi } from '../context';
import { ApiError } from '../lib/api';
import { formatPhone, phoneDigits } from '../lib/phone';
import type { SessionList } from '../lib/types';
import { Link } from '../router';

type Kind = 'text' | 'image' | 'document' | 'audio' | 'video' | 'location' | 'contact' | 'voice';
const KINDS: { value: Kind; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'image', label: 'Image' },
  { value: 'document', label: 'Document' },
  { value: 'audio', label: 'Audio' },
  { value: 'video', label: 'Video' },
  { value: 'location', label: 'Location' },
  { value: 'contact', label: 'Contact' },
  { value: 'voice', label: 'Voice note (text to speech)' },
];
/** Statuses of a message that has not been sent or refused yet. */
const AWAITING_OUTCOME = ['QUEUED', 'SENDING'];
const MEDIA: Kind[] = ['image', 'document', 'audio', 'video'];

interface Voices {
  label: string;
  defaultVoice: string;
  voices: { id: string; name: string }[];
  maxTextChars: number;
}
interface Accepted {
  message: { id: string; number: number; status: string; sessionId: string; to: string };
}

export function SendPage() {
  const api = useApi();
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: () => api.get<SessionList>('/api/sessions?limit=1000') });
  const ordered = [...(sessions.data?.sessions ?? [])].sort((a, b) => Number(b.status === 'READY') - Number(a.status === 'READY'));
  const [sessionId, setSessionId] = useState('');
  useEffect(() => {
    if (!sessionId && ordered.length) setSessionId(ordered[0].sessionId);
  }, [sessionId, ordered]);

  const [to, setTo] = useState('');
  const [kind, setKind] = useState<Kind>('text');
  const [text, setText] = useState('');
  const [source, setSource] = useState<'file' | 'url'>('file');
  const [file, setFile] = useState<File | null>(null);
  const [url, setUrl] = useState('');
  const [caption, setCaption] = useState('');
  const [lat, setLat] = useState('');
  const [lng, setLng] = useState('');
  const [place, setPlace] = useState('');
  const [contactName, setContactName] = useState('');
  const [contactPhone, setContactPhone] = useState('');
  const [voice, setVoice] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [sent, setSent] = useState<string[]>([]);

  const digits = phoneDigits(to);
  const send = useMutation({
    mutationFn: async (): Promise<Accepted> => {
      if (MEDIA.includes(kind) && source === 'file') {
        const form = new FormData();
        form.set('sessionId', sessionId);
        form.set('to', digits ?? to.trim());
        form.set('type', kind);
        if (caption.trim()) form.set('caption', caption.trim());
        if (file) form.set('file', file);
        const headers: Record<string, string> = { Accept: 'application/json' };
        const t = tabToken();
        if (t) headers.Authorization = `Bearer ${t}`;
        const res = await fetch('/api/messages/send', { method: 'POST', headers, body: form });
        const json = await res.json().catch(() => null);
        if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? `HTTP_${res.status}`, json?.error?.message ?? `The server answered ${res.status}.`);
        return json as Accepted;
      }
      const body: Record<string, unknown> = { sessionId, to: digits ?? to.trim(), type: kind };
      if (kind === 'text') body.text = text;
      if (MEDIA.includes(kind)) {
        body.url = url.trim();
        if (caption.trim()) body.caption = caption.trim();
      }
      if (kind === 'location') body.location = { latitude: Number(lat), longitude: Number(lng), ...(place.trim() ? { name: place.trim() } : {}) };
      if (kind === 'contact') body.contact = { name: contactName.trim(), phone: phoneDigits(contactPhone) ?? contactPhone.trim() };
      if (kind === 'voice') {
        body.text = text;
        if (voice) body.voice = voice;
      }
      return api.post<Accepted>('/api/messages/send', body);
    },
    onSuccess: (r) => setSent((s) => [r.message.id, ...s.filter((id) => id !== r.message.id)].slice(0, 10)),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    if (!sessionId) return setFormError('Choose a session.');
    if (!to.trim()) return setFormError('Enter the recipient’s number.');
    if ((kind === 'text' || kind === 'voice') && !text.trim()) return setFormError('Enter the text.');
    if (MEDIA.includes(kind) && source === 'file' && !file) return setFormError('Choose a file.');
    if (MEDIA.includes(kind) && source === 'url' && !url.trim()) return setFormError('Enter the URL of the media.');
    if (kind === 'location' && (lat.trim() === '' || lng.trim() === '' || Number.isNaN(Number(lat)) || Number.isNaN(Number(lng))))
      return setFormError('Enter the latitude and longitude as numbers.');
    if (kind === 'contact' && (!contactName.trim() || !contactPhone.trim())) return setFormError('Enter the contact’s name and phone.');
    send.mutate();
  };

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Send</h1>
      </div>
      <p className="muted">Queue a message from one of your sessions. It is sent in order, and its status follows here live.</p>
      {sessions.isError && <ErrorAlert error={sessions.error} prefix="Could not load the sessions" />}
      <div className="send-layout">
        <form className="card send-form" onSubmit={submit} noValidate>
          <label htmlFor="send-session">Session</label>
          <select id="send-session" value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
            {sessions.isPending && <option value="">Loading…</option>}
            {ordered.map((s) => (
              <option key={s.sessionId} value={s.sessionId}>
                {(s.name ?? s.sessionId) + (s.mobile_number ? ` · ${formatPhone(s.mobile_number)}` : '')} — {s.status}
              </option>
            ))}
          </select>

          <label htmlFor="send-to">Recipient</label>
          <input id="send-to" type="tel" inputMode="tel" value={to} onChange={(e) => setTo(e.target.value)} placeholder="+91 98765 43210" aria-describedby="send-to-hint" />
          <p id="send-to-hint" className="hint" aria-live="polite">
            {to.trim() === ''
              ? 'In international form, with the country code.'
              : digits
                ? `Will be sent to ${formatPhone(digits)} (${digits}).`
                : 'Not an international number: the server will try its default country.'}
          </p>

          <label htmlFor="send-type">Type</label>
          <select id="send-type" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>

          {(kind === 'text' || kind === 'voice') && (
            <>
              <label htmlFor="send-text">{kind === 'voice' ? 'Text to speak' : 'Text'}</label>
              <textarea id="send-text" rows={4} value={text} onChange={(e) => setText(e.target.value)} />
            </>
          )}
          {kind === 'voice' && <VoiceFields text={text} voice={voice} setVoice={setVoice} />}

          {MEDIA.includes(kind) && (
            <>
              <fieldset>
                <legend>Media from</legend>
                <label className="radio">
                  <input type="radio" name="send-source" checked={source === 'file'} onChange={() => setSource('file')} />
                  Upload a file
                </label>
                <label className="radio">
                  <input type="radio" name="send-source" checked={source === 'url'} onChange={() => setSource('url')} />A URL
                </label>
              </fieldset>
              {source === 'file' ? (
                <>
                  <label htmlFor="send-file">File</label>
                  <input id="send-file" type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
                </>
              ) : (
                <>
                  <label htmlFor="send-url">Media URL</label>
                  <input id="send-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://…" />
                </>
              )}
              {kind !== 'audio' && (
                <>
                  <label htmlFor="send-caption">Caption (optional)</label>
                  <input id="send-caption" value={caption} onChange={(e) => setCaption(e.target.value)} />
                </>
              )}
            </>
          )}

          {kind === 'location' && (
            <div className="send-grid">
              <div>
                <label htmlFor="send-lat">Latitude</label>
                <input id="send-lat" inputMode="decimal" value={lat} onChange={(e) => setLat(e.target.value)} placeholder="12.97" />
              </div>
              <div>
                <label htmlFor="send-lng">Longitude</label>
                <input id="send-lng" inputMode="decimal" value={lng} onChange={(e) => setLng(e.target.value)} placeholder="77.59" />
              </div>
              <div className="send-wide">
                <label htmlFor="send-place">Place name (optional)</label>
                <input id="send-place" value={place} onChange={(e) => setPlace(e.target.value)} />
              </div>
            </div>
          )}

          {kind === 'contact' && (
            <>
              <label htmlFor="send-contact-name">Contact name</label>
              <input id="send-contact-name" value={contactName} onChange={(e) => setContactName(e.target.value)} />
              <label htmlFor="send-contact-phone">Contact phone</label>
              <input id="send-contact-phone" type="tel" value={contactPhone} onChange={(e) => setContactPhone(e.target.value)} placeholder="+91 98765 43210" />
            </>
          )}

          {formError && (
            <p role="alert" className="error">
              {formError}
            </p>
          )}
          {send.isError && <ErrorAlert error={send.error} prefix="Not sent" />}
          <div className="actions">
            <button type="submit" className="button primary" disabled={send.isPending}>
              {send.isPending ? 'Sending…' : 'Send'}
            </button>
          </div>
        </form>

        <section className="card send-sent" aria-labelledby="send-sent-title">
          <h2 id="send-sent-title">Sent from this page</h2>
          {sent.length === 0 ? (
            <p className="muted">Messages you send appear here with their status.</p>
          ) : (
            <ul className="sent-list">
              {sent.map((id) => (
                <SentItem key={id} id={id} />
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

function VoiceFields({ text, voice, setVoice }: { text: string; voice: string; setVoice: (v: string) => void }) {
  const api = useApi();
  const voices = useQuery({ queryKey: ['tts-voices'], queryFn: () => api.get<Voices>('/api/tts/voices'), staleTime: 300_000 });
  const [audioUrl, setAudioUrl] = useState<string | null>(null);
  useEffect(() => () => {
    if (audioUrl) URL.revokeObjectURL(audioUrl);
  }, [audioUrl]);
  const preview = useMutation({
    mutationFn: () => fetchBlob('/api/tts/preview', { method: 'POST', body: { text, ...(voice ? { voice } : {}) } }),
    onSuccess: (blob) => setAudioUrl(URL.createObjectURL(blob)),
  });
  return (
    <>
      <label htmlFor="send-voice">Voice</label>
      <select id="send-voice" value={voice} onChange={(e) => setVoice(e.target.value)} aria-describedby="send-voice-hint">
        <option value="">Default{voices.data ? ` (${voices.data.defaultVoice})` : ''}</option>
        {voices.data?.voices.map((v) => (
          <option key={v.id} value={v.id}>
            {v.name}
          </option>
        ))}
      </select>
      <p id="send-voice-hint" className="hint">
        {voices.data ? `Spoken by ${voices.data.label}.` : voices.isError ? '' : 'Loading voices…'}
      </p>
      {voices.isError && <ErrorAlert error={voices.error} prefix="Could not load the voices" />}
      <div className="actions">
        <button type="button" className="button secondary" disabled={!text.trim() || preview.isPending} onClick={() => preview.mutate()}>
          {preview.isPending ? 'Preparing preview…' : 'Preview'}
        </button>
      </div>
      {preview.isError && <ErrorAlert error={preview.error} prefix="No preview" />}
      {audioUrl && <audio controls src={audioUrl} aria-label="Voice note preview" className="send-audio" />}
    </>
  );
}

function SentItem({ id }: { id: string }) {
  const api = useApi();
  const q = useQuery({
    queryKey: ['message', id],
    queryFn: () => api.get<{ message: Message }>(`/api/messages/${id}`),
    // The live stream moves the status; while the message waits for its first outcome it is also
    // read again now and then, so an event that never reached this tab cannot leave it stuck.
    refetchInterval: (query) => (AWAITING_OUTCOME.includes(query.state.data?.message.status ?? 'QUEUED') ? 15_000 : false),
  });
  const m = q.data?.message;
  return (
    <li className="sent-item" aria-label={m ? `Message ${m.number}` : 'Message'}>
      {m ? (
        <>
          <div>
            <Link to={`/messages/${m.id}`}>#{m.number}</Link> to <span className="nowrap">{formatPhone(m.chat)}</span> · {m.type}
          </div>
          <div>
            <MessageStatusBadge status={m.status} />
            {m.error && (
              <span className="error-inline">
                {' '}
                {m.error.message} (<code>{m.error.code}</code>)
              </span>
            )}
          </div>
          <div className="muted small">id {m.id}</div>
        </>
      ) : q.isError ? (
        <ErrorAlert error={q.error} />
      ) : (
        <span className="muted">Loading {id}…</span>
      )}
    </li>
  );
}
