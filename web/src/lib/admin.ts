/**
 * Framework-free helpers of the admin pages (Webhooks, Tokens, Security): the documented webhook
 * event names, form checks that mirror the API's own rules, and display labels.
 */

/** The event names of docs/webhooks.md; `*` means every event. */
export const WEBHOOK_EVENTS = ['message.received', 'message.status', 'session.created', 'session.status', 'session.qr', 'call.received', 'contact.opt_in'] as const;

/** The API's minimum password length (ChangePasswordDto: MinLength(8)). */
export const MIN_PASSWORD_LENGTH = 8;

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  sessionId: string | null;
  format: string;
  active: boolean;
  description?: string | null;
  createdAt: string;
  secret?: string;
  health?: {
    pending?: number;
    failed?: number;
    lastSuccessAt?: string | null;
    lastFailureAt?: string | null;
    consecutiveFailures?: number;
    lastError?: string | null;
  } | null;
}

export interface Delivery {
  id: string;
  eventId: string;
  event: string;
  status: string;
  attemptCount: number;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
}

export interface ApiToken {
  id: string;
  name: string;
  role: string;
  sessionId: string | null;
  workspace: string | null;
  api: string | null;
  prefix: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

export const PRODUCT_APIS = ['connections', 'phones', 'gateway', 'devices'] as const;

/** The token form: returns an error message, or null when the API will accept it. */
export function checkTokenForm(f: { name: string; binding: 'none' | 'session' | 'workspace'; sessionId: string; workspace: string; expiresIn: string }): string | null {
  if (!f.name.trim()) return 'Give the token a name.';
  if (f.name.trim().length > 100) return 'The name is at most 100 characters.';
  if (f.binding === 'session' && !f.sessionId) return 'Choose the session the token is bound to.';
  if (f.binding === 'workspace' && !f.workspace.trim()) return 'Enter the workspace the token is bound to.';
  if (f.expiresIn.trim() && !/^\d+[smhd]?$/.test(f.expiresIn.trim())) return 'Expiry is a number with s, m, h or d, e.g. 30d; leave it empty for no expiry.';
  return null;
}

/** The password form: an error message, or null. */
export function checkPasswordForm(f: { newPassword: string; confirm: string }): string | null {
  if (f.newPassword.length < MIN_PASSWORD_LENGTH) return `The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (f.newPassword.length > 1024) return 'The new password is at most 1024 characters.';
  if (f.newPassword !== f.confirm) return 'The two new passwords differ.';
  return null;
}

/** The webhook form: an error message, or null. */
export function checkWebhookForm(f: { url: string; events: string[] }): string | null {
  let u: URL;
  try {
    u = new URL(f.url.trim());
  } catch {
    return 'Enter the full address, starting with https:// or http://.';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'The address must start with https:// or http://.';
  if (f.events.length === 0) return 'Choose at least one event, or all events.';
  return null;
}

export function tokenBinding(t: Pick<ApiToken, 'sessionId' | 'workspace'>): string {
  if (t.sessionId) return `Session ${t.sessionId}`;
  if (t.workspace) return `Workspace ${t.workspace}`;
  return 'None (every session)';
}

export function eventsLabel(events: string[]): string {
  return events.includes('*') ? 'All events' : events.join(', ');
}

export function formatLabel(format: string): string {
  return format === 'cloud-api' ? 'Cloud API' : 'Native';
}

/** "3 Dec 2026, 14:05" (local), or the fallback for no date. */
export function when(iso: string | null | undefined, none = 'never'): string {
  if (!iso) return none;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return none;
  return `${d.toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' })}, ${d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`;
}

/** A webhook's health in one sentence. */
export function webhookHealth(w: Webhook): string {
  const h = w.health;
  if (!w.active) return 'Paused';
  if (!h) return 'No delivery yet';
  const parts: string[] = [];
  if (h.consecutiveFailures) parts.push(`${h.consecutiveFailures} failures in a row${h.lastError ? ` (${h.lastError})` : ''}`);
  if (h.pending) parts.push(`${h.pending} pending`);
  if (h.failed) parts.push(`${h.failed} failed`);
  if (parts.length === 0) parts.push(h.lastSuccessAt ? `Healthy, last delivered ${when(h.lastSuccessAt)}` : 'No delivery yet');
  return parts.join(' · ');
}
