import { loadCredential } from '../lib/auth';
import { ApiError } from '../lib/api';
import { messageTone } from '../lib/messages';

/** The credential of this tab (the pages need it for binary requests). */
export function tabToken(): string | null {
  return loadCredential(window.sessionStorage)?.token ?? null;
}

/** A message as the native API shows it (docs/api.md). */
export interface Message {
  id: string;
  number: number;
  waMessageId: string | null;
  sessionId: string;
  direction: 'outbound' | 'inbound';
  chat: string;
  to: string | null;
  from: string | null;
  type: string;
  content: Record<string, any>;
  media: { id: string; mimetype: string; size: number; fileName: string | null; seconds: number | null } | null;
  status: string;
  heldReason: string | null;
  statusHistory: { status: string; at: string; reason?: string | null; code?: string | null }[];
  attempts: number;
  error: { code: string; message: string } | null;
  createdAt: string;
}

export interface MessageList {
  messages: Message[];
  limit: number;
  nextCursor?: string | null;
}

/** A message status as text (the colour only repeats it). */
export function MessageStatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${messageTone(status)}`}>{status}</span>;
}

/** A binary request with the tab's credential (media, TTS preview) as a blob. */
export async function fetchBlob(path: string, init: { method?: string; body?: unknown } = {}): Promise<Blob> {
  const headers: Record<string, string> = {};
  const t = tabToken();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server did not answer. Is it running?');
  }
  if (!res.ok) {
    const json = await res.json().catch(() => null);
    throw new ApiError(res.status, json?.error?.code ?? `HTTP_${res.status}`, json?.error?.message ?? `The server answered ${res.status}.`);
  }
  return res.blob();
}

/** An API error as the pages show it: the message and its code. */
export function ErrorAlert({ error, prefix }: { error: unknown; prefix?: string }) {
  const e = error as { message?: string; code?: string };
  return (
    <p role="alert" className="error">
      {prefix ? `${prefix}: ` : ''}
      {e?.message ?? String(error)}
      {e?.code ? <> (<code>{e.code}</code>)</> : null}
    </p>
  );
}

/** "14:05:09" today, "3 Dec, 14:05" before. */
export function when(iso: string): string {
  const d = new Date(iso);
  if (d.toDateString() === new Date().toDateString()) return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })}, ${d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
}
