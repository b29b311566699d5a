/** The shapes of the native API the app reads (docs/api.md). */
import type { HourFigures } from './series';

export type SessionStatus = 'REGISTERING' | 'CONNECTING' | 'READY' | 'DISCONNECTED' | 'LOGGED_OUT' | 'INACTIVE';

export interface Session {
  sessionId: string;
  name: string | null;
  mobid: string | null;
  mobile_number: string | null;
  /** Cloud API ids: what Cloud API clients and CRMs are configured with. */
  phoneNumberId: string;
  wabaId: string;
  status: SessionStatus;
  method: 'qr' | 'phone';
  engine: string;
  active: boolean;
  pushName: string | null;
  health: { connectedSince: string | null; lastSeenAt: string | null; lastError: string | null; reconnectAttempts: number; statusChangedAt: string };
  settings: Record<string, unknown> & { workspace?: string | null };
  createdAt: string;
}

export interface SessionList {
  success: true;
  sessions: Session[];
  total: number;
}

export interface QrAnswer {
  success: true;
  method: 'qr' | 'phone';
  status: SessionStatus;
  qr?: string;
  qrCodeDataUrl?: string;
  pairingCode?: string;
}

export interface StatusChange {
  status: SessionStatus;
  previousStatus?: SessionStatus | null;
  reason?: string | null;
  at: string;
}

export interface Overview {
  sessions: { total: number; live: number; byStatus: Record<string, number> };
  messages: {
    last24h: { outbound: Record<string, number>; inbound: number };
    hourly: HourFigures[];
    queued: number;
  };
  webhooks: { total: number; active: number; pending: number; failedLast24h: number; deliveredLast24h: number; oldestPendingAt: string | null };
}

/** The envelope of every event on the stream (and of native webhooks). */
export interface EventEnvelope {
  id: string;
  event: string;
  sessionId: string | null;
  createdAt: string;
  data: Record<string, any>;
}
