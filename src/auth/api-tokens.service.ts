import { Injectable } from '@nestjs/common';
import { AppError, ForbiddenError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import type { Principal } from './principal';
import { SessionResolver } from '../sessions/session-resolver';
import type { CreateTokenDto } from './dto/auth.dto';
import type { ApiTokenEntity } from './entities/api-token.entity';
import { CreatedToken, TokensService } from './tokens.service';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function toSeconds(expiresIn: string | undefined): number | null {
  if (!expiresIn) return null;
  const unit = /[smhd]$/.test(expiresIn) ? expiresIn.slice(-1) : 's';
  return Number.parseInt(expiresIn, 10) * UNIT_SECONDS[unit];
}

/** Token management as the API offers it: session binding resolved through the session resolver. */
@Injectable()
export class ApiTokensService {
  constructor(
    private readonly tokens: TokensService,
    private readonly resolver: SessionResolver,
  ) {}

  /**
   * A token never carries more than its creator: only an unbound admin may create tokens, and
   * an admin token cannot be bound (a bound token is confined, never an admin).
   * @throws SessionNotFoundError when `sessionId` names no session; ForbiddenError for a bound
   *   creator; AppError VALIDATION_FAILED for role admin with a session or workspace.
   */
  async create(creator: Principal, dto: CreateTokenDto): Promise<CreatedToken> {
    if (!creator.isAdmin || creator.isBound) throw new ForbiddenError('Only an unbound admin credential may create tokens');
    if ((dto.role ?? 'api') === 'admin' && (dto.sessionId || dto.workspace || dto.api)) {
      const field = dto.sessionId ? 'sessionId' : dto.workspace ? 'workspace' : 'api';
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'An admin token cannot be bound to a session, workspace or product API; use role "api"', {
        fields: [{ field, messages: [`${field} cannot be combined with role "admin"`] }],
      });
    }
    const sessionId = dto.sessionId ? (await this.resolver.getEntity(dto.sessionId)).id : null;
    return this.tokens.create({
      name: dto.name,
      role: dto.role ?? 'api',
      sessionId,
      workspace: dto.workspace ?? null,
      api: dto.api ?? null,
      secret: dto.secret,
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
