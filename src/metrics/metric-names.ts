/** Every metric name Switchboard exports starts with this. */
export const METRIC_PREFIX = 'switchboard_';

/** Why a replica took a session's lease over (bounded: one series each). */
export type LeaseTakeoverReason = 'expired' | 'handover' | 'rebalance';
export const LEASE_TAKEOVER_REASONS: readonly LeaseTakeoverReason[] = ['expired', 'handover', 'rebalance'];

/** What one webhook delivery attempt came to. */
export type WebhookOutcome = 'delivered' | 'retry' | 'failed';
export const WEBHOOK_OUTCOMES: readonly WebhookOutcome[] = ['delivered', 'retry', 'failed'];

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** An HTTP method as a label value: the usual ones, everything else `OTHER`. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}

/** `2xx`, `4xx`…: the status class, never the exact status. */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** A message type as a label value (the API's types are short lower-case words). */
export function messageTypeLabel(type: unknown): string {
  return typeof type === 'string' && /^[a-z_]{1,24}$/.test(type) ? type : 'other';
}

/** A message status as a label value (upper-case words). */
export function messageStatusLabel(status: unknown): string {
  return typeof status === 'string' && /^[A-Z_]{1,24}$/.test(status) ? status : 'OTHER';
}
