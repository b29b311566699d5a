import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import type { SessionEntity } from '../sessions/entities/session.entity';
import { SessionRegistry } from '../sessions/session-registry';
import { EngineSendError } from '../whatsapp/engine/outgoing-message';
import type { GroupInfo } from '../whatsapp/engine/whatsapp-engine.port';

/** The phones manager: group lists are cached for 4 minutes per session; `refresh` asks WhatsApp again. */
const CACHE_TTL_MS = 4 * 60_000;

export interface GroupList {
  groups: GroupInfo[];
  cachedAt: string;
  fromCache: boolean;
}

@Injectable()
export class GroupsService {
  private readonly cache = new Map<string, { at: number; groups: GroupInfo[] }>();

  constructor(private readonly registry: SessionRegistry) {}

  /** @throws SessionNotReadyError, AppError ENGINE_ERROR */
  async list({ id }: SessionEntity, refresh = false): Promise<GroupList> {
    const hit = this.fresh(id);
    if (hit && !refresh) {
      return { groups: hit.groups, cachedAt: new Date(hit.at).toISOString(), fromCache: true };
    }
    const engine = await this.registry.getReady(id);
    const groups = await engine.groups().catch(toAppError);
    const at = Date.now();
    this.cache.set(id, { at, groups });
    return { groups, cachedAt: new Date(at).toISOString(), fromCache: false };
  }

  /** From the cached list when it is fresh, else asked of WhatsApp. @throws AppError GROUP_NOT_FOUND */
  async get({ id }: SessionEntity, groupId: string, refresh = false): Promise<GroupInfo> {
    const jid = groupId.includes('@') ? groupId : `${groupId}@g.us`;
    const cached = refresh ? undefined : this.fresh(id)?.groups.find((g) => g.jid === jid);
    if (cached) return cached;
    const engine = await this.registry.getReady(id);
    return engine.groupMetadata(jid).catch(toAppError);
  }

  private fresh(sessionId: string): { at: number; groups: GroupInfo[] } | undefined {
    const hit = this.cache.get(sessionId);
    return hit && Date.now() - hit.at < CACHE_TTL_MS ? hit : undefined;
  }
}

function toAppError(err: unknown): never {
  if (err instanceof EngineSendError && err.code === 'GROUP_NOT_FOUND') {
    throw new AppError(ErrorCode.GROUP_NOT_FOUND, err.message);
  }
  throw new AppError(ErrorCode.ENGINE_ERROR, `WhatsApp did not answer: ${(err as Error).message}`, undefined, { cause: err });
}
