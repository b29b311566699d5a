import { SessionStatus } from '../../sessions/session-status';

/** The WA Gateway's three session states. */
export type GatewayStatus = 'online' | 'offline' | 'connecting';

/** Names the WA Gateway accepts for a session: alphanumeric, dash, underscore, 1–40 characters. */
export const GATEWAY_SESSION_NAME = /^[A-Za-z0-9_-]{1,40}$/;

/** The session every call without `session` uses; created on first need, never deleted. */
export const DEFAULT_SESSION = 'default';

/**
 * A native status as the WA Gateway shows it: READY is `online`; linking, connecting and
 * reconnecting are `connecting`; unlinked or stopped is `offline`.
 */
export function toGatewayStatus(status: SessionStatus | string): GatewayStatus {
  switch (status) {
    case SessionStatus.READY:
      return 'online';
    case SessionStatus.REGISTERING:
    case SessionStatus.CONNECTING:
    case SessionStatus.DISCONNECTED:
      return 'connecting';
    default:
      return 'offline';
  }
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, the WA Gateway's `last_seen` format (MySQL DATETIME). */
export function toGatewayTimestamp(at: Date | null | undefined): string | null {
  if (!at || Number.isNaN(at.getTime())) return null;
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * A recipient as the WA Gateway takes it: country code and digits, as given. `+`, spaces and
 * dashes are dropped; no default country is ever applied (`9611234567` is a Lebanese number).
 * Returns null unless 7–15 digits remain.
 */
export function toGatewayPhone(input: string): string | null {
  const digits = input.replace(/[+\s-]/g, '');
  return /^[0-9]{7,15}$/.test(digits) ? digits : null;
}
