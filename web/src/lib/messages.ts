/**
 * Framework-free helpers of the Send and Messages pages (unit-tested in
 * test/unit/web/messages.spec.ts).
 */

export type MessageStatus = 'QUEUED' | 'SENDING' | 'SENT' | 'DELIVERED' | 'READ' | 'PLAYED' | 'FAILED' | 'EXPIRED' | 'CANCELED' | 'OPTED_OUT';

export const MESSAGE_STATUSES: MessageStatus[] = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'PLAYED', 'FAILED', 'EXPIRED', 'CANCELED', 'OPTED_OUT'];

/** The statuses POST /api/messages/{id}/resend accepts. */
export const RESENDABLE: readonly string[] = ['FAILED', 'OPTED_OUT', 'EXPIRED', 'CANCELED'];

export const canResend = (m: { direction: string; status: string }) => m.direction === 'outbound' && RESENDABLE.includes(m.status);
export const canCancel = (m: { direction: string; status: string }) => m.direction === 'outbound' && m.status === 'QUEUED';

/** The badge tone of a message status (the text says the status; the colour only repeats it). */
export function messageTone(status: string): 'good' | 'busy' | 'warn' | 'bad' | 'muted' {
  switch (status) {
    case 'SENT':
    case 'DELIVERED':
    case 'READ':
    case 'PLAYED':
      return 'good';
    case 'QUEUED':
    case 'SENDING':
      return 'busy';
    case 'EXPIRED':
    case 'OPTED_OUT':
      return 'warn';
    case 'FAILED':
      return 'bad';
    default:
      return 'muted';
  }
}

/** True once a message will not move any more without someone acting on it. */
export const isFinal = (status: string) => ['READ', 'PLAYED', 'FAILED', 'EXPIRED', 'CANCELED', 'OPTED_OUT'].includes(status);

export interface MessageFilters {
  sessionId?: string;
  direction?: string;
  status?: string;
  /** Digits of the chat (recipient), or a JID. */
  chat?: string;
  /** `YYYY-MM-DD` (the day, in the browser's zone) from which messages are shown. */
  fromDate?: string;
  /** `YYYY-MM-DD` up to which (that whole day) messages are shown. */
  toDate?: string;
}

/** The local start of a `YYYY-MM-DD` day, as an ISO instant; `endOfDay` gives the next day's start. */
export function dayBoundary(date: string, endOfDay = false): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (endOfDay ? 1 : 0));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The GET /api/messages address for a set of filters, a page size and a cursor. */
export function messagesPath(f: MessageFilters, limit: number, cursor?: string | null): string {
  const q = new URLSearchParams();
  if (f.sessionId) q.set('sessionId', f.sessionId);
  if (f.direction) q.set('direction', f.direction);
  if (f.status) q.set('status', f.status);
  if (f.chat) q.set('chat', f.chat);
  const from = f.fromDate ? dayBoundary(f.fromDate) : undefined;
  const to = f.toDate ? dayBoundary(f.toDate, true) : undefined;
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  return `/api/messages?${q.toString()}`;
}

/** A one-line preview of a message's content. */
export function messagePreview(m: { type: string; content: Record<string, any> }): string {
  const c = m.content ?? {};
  if (typeof c.text === 'string' && c.text) return c.text;
  if (typeof c.caption === 'string' && c.caption) return c.caption;
  if (m.type === 'location' && c.location) return [c.location.name, `${c.location.latitude}, ${c.location.longitude}`].filter(Boolean).join(' · ');
  if (m.type === 'contact' && c.contact) return [c.contact.name, c.contact.phone].filter(Boolean).join(' · ');
  if (typeof c.fileName === 'string' && c.fileName) return c.fileName;
  return '';
}

/** The media kind a browser can preview, or null. */
export function previewKind(m: { type: string; media: { mimetype: string } | null }): 'image' | 'audio' | 'video' | null {
  if (!m.media) return null;
  const mt = m.media.mimetype ?? '';
  if (mt.startsWith('image/') || m.type === 'image' || m.type === 'sticker') return 'image';
  if (mt.startsWith('video/') || m.type === 'video') return 'video';
  if (mt.startsWith('audio/') || m.type === 'audio' || m.type === 'voice') return 'audio';
  return null;
}

/** Rank of a status along the happy path (receipts never move it backwards). */
const RANK: Record<string, number> = { QUEUED: 0, SENDING: 1, SENT: 2, DELIVERED: 3, READ: 4, PLAYED: 5 };

/**
 * The status to show after a live event: a later happy-path status wins; a final non-happy
 * status (FAILED, CANCELED…) and a resend (back to QUEUED from one) always apply.
 */
export function nextStatus(current: string, incoming: string): string {
  const a = RANK[current];
  const b = RANK[incoming];
  if (a !== undefined && b !== undefined) return b >= a ? incoming : current;
  return incoming;
}
