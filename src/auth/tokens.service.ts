import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiTokenEntity, TokenRole } from './entities/api-token.entity';
import { Principal } from './principal';
import { generateToken, hashToken } from './secrets';

export interface CreatedToken {
  entity: ApiTokenEntity;
  /** The secret; returned once, never stored. */
  token: string;
}

const LAST_USED_RESOLUTION_MS = 60_000;

/** API tokens: opaque `sb_…` secrets of which only a SHA-256 hash is kept. */
@Injectable()
export class TokensService {
  constructor(@InjectRepository(ApiTokenEntity) private readonly repo: Repository<ApiTokenEntity>) {}

  async create(input: { name: string; role: TokenRole; sessionId?: string | null; workspace?: string | null; expiresInSeconds?: number | null }): Promise<CreatedToken> {
    const token = generateToken();
    const entity = await this.repo.save(
      this.repo.create({
        name: input.name,
        role: input.role,
        sessionId: input.sessionId ?? null,
        workspace: input.workspace ?? null,
        tokenHash: hashToken(token),
        tokenPrefix: token.slice(0, 10),
        expiresAt: input.expiresInSeconds ? new Date(Date.now() + input.expiresInSeconds * 1000) : null,
      }),
    );
    return { entity, token };
  }

  list(): Promise<ApiTokenEntity[]> {
    return this.repo.find({ where: { revokedAt: IsNull() }, order: { createdAt: 'DESC' } });
  }

  /** @throws AppError TOKEN_NOT_FOUND. Idempotent for an already revoked token. */
  async revoke(id: string): Promise<void> {
    const token = await this.repo.findOneBy({ id });
    if (!token) throw new AppError(ErrorCode.TOKEN_NOT_FOUND, `Token '${id}' was not found`);
    if (!token.revokedAt) await this.repo.update({ id }, { revokedAt: new Date() });
  }

  /** Whether a live token with this secret exists (for the admin-token file check). */
  async isLive(secret: string): Promise<boolean> {
    return (await this.authenticate(secret)) !== null;
  }

  /** Returns the principal for a token secret, or null when unknown, revoked or expired. */
  async authenticate(secret: string): Promise<Principal | null> {
    const token = await this.repo.findOneBy({ tokenHash: hashToken(secret) });
    if (!token || token.revokedAt) return null;
    const now = Date.now();
    if (token.expiresAt && token.expiresAt.getTime() <= now) return null;
    if (!token.lastUsedAt || now - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.repo.update({ id: token.id }, { lastUsedAt: new Date(now) });
    }
    return new Principal('token', token.role === 'admin', token.id, token.sessionId, token.workspace);
  }
}
