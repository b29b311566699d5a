import type { TokenDto } from './dto/auth.dto';
import type { ApiTokenEntity } from './entities/api-token.entity';

export function toTokenDto(t: ApiTokenEntity): TokenDto {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    sessionId: t.sessionId,
    workspace: t.workspace,
    api: t.api,
    prefix: t.tokenPrefix,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}
