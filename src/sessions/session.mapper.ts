import { phoneNumberIdOf, wabaIdOf } from '../common/utils/graph-ids';
import type { SessionDto } from './dto/session.dto';
import type { SessionEntity } from './entities/session.entity';
import { resolveSessionSettings, type SettingsDefaults } from './session-settings';
import type { LiveState } from './session-registry';
import { SessionStatus } from './session-status';

/** Statuses that claim a socket exists (or is being opened) somewhere. */
export const RUNNING_STATUSES: readonly SessionStatus[] = [SessionStatus.READY, SessionStatus.CONNECTING, SessionStatus.REGISTERING];
const RUNNING = new Set<SessionStatus>(RUNNING_STATUSES);

/**
 * The status to report: the live one when this replica runs the session; otherwise the stored
 * one, unless no replica holds the session's lease (`node` null: its owner stopped renewing or
 * handed it over) while the row still says it runs: then DISCONNECTED, until a survivor takes
 * it and writes its own status. `node` undefined: never leased (just created) or not looked up.
 */
export function effectiveStatus(e: Pick<SessionEntity, 'status' | 'active'>, live: LiveState | null, node: string | null | undefined): SessionStatus {
  if (live) return live.status;
  if (node === null && e.active && RUNNING.has(e.status)) return SessionStatus.DISCONNECTED;
  return e.status;
}

/** Explicit mapping so database columns never reach the API by accident. */
export function toSessionDto(e: SessionEntity, live: LiveState | null, defaults: SettingsDefaults, node?: string | null): SessionDto {
  return {
    sessionId: e.id,
    name: e.name,
    mobid: e.mobid,
    mobile_number: e.mobileNumber,
    phoneNumberId: e.phoneNumberId ?? phoneNumberIdOf(e.id),
    wabaId: wabaIdOf(e.settings.workspace ?? null),
    status: effectiveStatus(e, live, node),
    node: node ?? null,
    method: e.method,
    engine: e.engine,
    active: e.active,
    pushName: e.pushName,
    health: {
      connectedSince: e.connectedAt?.toISOString() ?? null,
      lastSeenAt: e.lastSeenAt?.toISOString() ?? null,
      lastError: e.lastError,
      reconnectAttempts: live?.attempts ?? e.reconnectAttempts,
      statusChangedAt: e.statusChangedAt.toISOString(),
    },
    settings: { ...resolveSessionSettings(e.settings, defaults) },
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}
