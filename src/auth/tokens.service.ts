import { timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiTokenEntity, TokenRole } from './entities/api-token.entity';
import { Principal } from './principal';
import type { ProductApi } from './product-api';
import { AppConfig } from '../config/app-config';
import { generateToken, hashToken, sha256 } from './secrets';

const API_KEY_PRINCIPAL = Principal.admin('api-key');

export interface CreatedToken {
  entity: ApiTokenEntity;
  /** The secret; returned once, never stored. */
  token: string;
}

const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * How long a verified token is trusted without reading its row again. A revocation made
 * through this process applies at once; one made through another process within this time.
 */
const VERIFIED_TTL_MS = 5_000;
const VERIFIED_MAX_ENTRIES = 10_000;

interface Verified {
  principal: Principal;
  tokenId: string;
  checkedAt: number;
  lastUsedAt: number;
  expiresAt: number | null;
}

/**
 * Credentials that are not login JWTs: the static API_KEY and API tokens, opaque `sb_…`
 * secrets of which only a SHA-256 hash is kept.
 */
@Injectable()
export class TokensService {
  /** Recently verified tokens by hash (positive results only, so guessing fills nothing). */
  private readonly verified = new Map<string, Verified>();
  /** Recent answers of `isLiveAdmin` by token id (for JWTs issued to a token). */
  private readonly liveAdmin = new Map<string, { live: boolean; checkedAt: number }>();
  private readonly apiKeyDigest: Buffer | null;
  private readonly changes = new EventEmitter();
  /** A short fingerprint of the API_KEY (none without one), carried by JWTs issued to it. */
  readonly apiKeyFingerprint: string | undefined;

  constructor(
    @InjectRepository(ApiTokenEntity) private readonly repo: Repository<ApiTokenEntity>,
    config: AppConfig,
  ) {
    const apiKey = config.auth.apiKey;
    this.apiKeyDigest = apiKey ? sha256(apiKey) : null;
    this.apiKeyFingerprint = this.apiKeyDigest ? sha256(`jwt-fingerprint:${apiKey}`).toString('base64url').slice(0, 16) : undefined;
    this.changes.setMaxListeners(0);
  }

  /** Calls `listener` after every revocation made through this process. */
  onChange(listener: () => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }

  /**
   * Whether the token with this id is live, an admin and unbound: a JWT issued to it is valid
   * only while it is. Trusted for VERIFIED_TTL_MS like `authenticate`.
   */
  async isLiveAdmin(id: string): Promise<boolean> {
    const now = Date.now();
    const hit = this.liveAdmin.get(id);
    if (hit && now - hit.checkedAt < VERIFIED_TTL_MS) return hit.live;
    const token = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.findOneBy({ id }) : null;
    const live =
      !!token && !token.revokedAt && (!token.expiresAt || token.expiresAt.getTime() > now) && token.role === 'admin' && !token.sessionId && !token.workspace;
    if (this.liveAdmin.size >= VERIFIED_MAX_ENTRIES) this.liveAdmin.clear();
    this.liveAdmin.set(id, { live, checkedAt: now });
    return live;
  }

  /** The principal for an API_KEY or API token credential, or null when it is neither. */
  async authenticateCredential(credential: string): Promise<Principal | null> {
    const digest = sha256(credential);
    if (this.apiKeyDigest && timingSafeEqual(digest, this.apiKeyDigest)) return API_KEY_PRINCIPAL;
    return this.authenticateHash(digest.toString('hex'));
  }

  /**
   * What `authenticateCredential` would answer when that is known without the database: the
   * API_KEY, or a token verified within VERIFIED_TTL_MS (the same cache entry and rules);
   * undefined when it needs the lookup. Lets the per-request guard decide the common case
   * without a promise.
   */
  knownCredential(credential: string): Principal | undefined {
    const digest = sha256(credential);
    if (this.apiKeyDigest && timingSafeEqual(digest, this.apiKeyDigest)) return API_KEY_PRINCIPAL;
    return this.cachedPrincipal(digest.toString('hex'), Date.now());
  }

  /** The verified principal cached for a token hash, if it may still be trusted at `now`. */
  private cachedPrincipal(tokenHash: string, now: number): Principal | undefined {
    const hit = this.verified.get(tokenHash);
    if (hit && now - hit.checkedAt < VERIFIED_TTL_MS && now - hit.lastUsedAt <= LAST_USED_RESOLUTION_MS) {
      if (hit.expiresAt === null || hit.expiresAt > now) return hit.principal;
    }
    return undefined;
  }

  /** @throws Error when an admin token would be bound (callers validate before). */
  async create(input: {
    name: string;
    role: TokenRole;
    sessionId?: string | null;
    workspace?: string | null;
    /** Confines the token to one sibling product's API. */
    api?: ProductApi | null;
    /** A secret chosen by the caller (a migrated product's existing key, a signed product JWT); generated when omitted. */
    secret?: string;
    expiresInSeconds?: number | null;
  }): Promise<CreatedToken> {
    if (input.role === 'admin' && (input.sessionId || input.workspace || input.api)) {
      throw new Error('An admin token cannot be bound to a session, workspace or product API');
    }
    const token = input.secret ?? generateToken();
    const entity = await this.repo.save(
      this.repo.create({
        name: input.name,
        role: input.role,
        sessionId: input.sessionId ?? null,
        workspace: input.workspace ?? null,
        api: input.api ?? null,
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
    for (const [hash, entry] of this.verified) if (entry.tokenId === id) this.verified.delete(hash);
    this.liveAdmin.delete(id);
    this.changes.emit('change');
  }

  /**
   * Revokes every live token of one product API bound to one session (a connection reset or
   * removed in its product). Returns how many were revoked.
   */
  async revokeWhere(where: { api: ProductApi; sessionId?: string; workspace?: string; name?: string }): Promise<number> {
    const live = await this.repo.find({ where: { ...where, revokedAt: IsNull() } });
    for (const token of live) await this.revoke(token.id);
    return live.length;
  }

  /** When the token with this id expires (null: never, or no such token): Graph's `debug_token` shows it. */
  async expiresAtOf(id: string): Promise<Date | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return (await this.repo.findOneBy({ id }))?.expiresAt ?? null;
  }

  /** Whether a live token with this secret exists (for the admin-token file check). */
  async isLive(secret: string): Promise<boolean> {
    return (await this.authenticate(secret)) !== null;
  }

  /** Returns the principal for a token secret, or null when unknown, revoked or expired. */
  authenticate(secret: string): Promise<Principal | null> {
    return this.authenticateHash(hashToken(secret));
  }

  private async authenticateHash(tokenHash: string): Promise<Principal | null> {
    const now = Date.now();
    const cached = this.cachedPrincipal(tokenHash, now);
    if (cached) return cached;
    this.verified.delete(tokenHash);
    const token = await this.repo.findOneBy({ tokenHash });
    if (!token || token.revokedAt) return null;
    if (token.expiresAt && token.expiresAt.getTime() <= now) return null;
    let lastUsedAt = token.lastUsedAt?.getTime() ?? 0;
    if (now - lastUsedAt > LAST_USED_RESOLUTION_MS) {
      await this.repo.update({ id: token.id }, { lastUsedAt: new Date(now) });
      lastUsedAt = now;
    }
    // A bound row never yields an admin, even one written before the API refused the combination.
    const bound = token.sessionId !== null || token.workspace !== null;
    const principal = new Principal('token', token.role === 'admin' && !bound && !token.api, token.id, token.sessionId, token.workspace, token.api);
    if (this.verified.size >= VERIFIED_MAX_ENTRIES) this.verified.clear();
    this.verified.set(tokenHash, { principal, tokenId: token.id, checkedAt: now, lastUsedAt, expiresAt: token.expiresAt?.getTime() ?? null });
    return principal;
  }
}
