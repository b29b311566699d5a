import { phoneNumberIdOf, wabaIdOf } from '../common/utils/graph-ids';
import type { SessionDto } from './dto/session.dto';
import type { SessionEntity } from './entities/session.entity';
import { resolveSessionSettings, type SettingsDefaults } from './session-settings';
import type { LiveState } from './session-registry';

/** Explicit mapping so database columns never reach the API by accident. */
export function toSessionDto(e: SessionEntity, live: LiveState | null, defaults: SettingsDefaults): SessionDto {
  return {
    sessionId: e.id,
    name: e.name,
    mobid: e.mobid,
    mobile_number: e.mobileNumber,
    phoneNumberId: e.phoneNumberId ?? phoneNumberIdOf(e.id),
    wabaId: wabaIdOf(e.settings.workspace ?? null),
    status: live?.status ?? e.status,
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
