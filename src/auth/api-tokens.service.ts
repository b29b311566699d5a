import { Injectable } from '@nestjs/common';
import { SessionRegistry } from '../sessions/session-registry';
import type { CreateTokenDto } from './dto/auth.dto';
import type { ApiTokenEntity } from './entities/api-token.entity';
import { CreatedToken, TokensService } from './tokens.service';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function toSeconds(expiresIn: string | undefined): number | null {
  if (!expiresIn) return null;
  const unit = /[smhd]$/.test(expiresIn) ? expiresIn.slice(-1) : 's';
  return Number.parseInt(expiresIn, 10) * UNIT_SECONDS[unit];
}

/** Token management as the API offers it: session binding resolved through the registry. */
@Injectable()
export class ApiTokensService {
  constructor(
    private readonly tokens: TokensService,
    private readonly registry: SessionRegistry,
  ) {}

  /** @throws SessionNotFoundError when `sessionId` names no session. */
  async create(dto: CreateTokenDto): Promise<CreatedToken> {
    const sessionId = dto.sessionId ? (await this.registry.getEntity(dto.sessionId)).id : null;
    return this.tokens.create({
      name: dto.name,
      role: dto.role ?? 'api',
      sessionId,
      workspace: dto.workspace ?? null,
      expiresInSeconds: toSeconds(dto.expiresIn),
    });
  }

  list(): Promise<ApiTokenEntity[]> {
    return this.tokens.list();
  }

  revoke(id: string): Promise<void> {
    return this.tokens.revoke(id);
  }
}
