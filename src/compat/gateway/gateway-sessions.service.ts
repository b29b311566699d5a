import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as QRCode from 'qrcode';
import { QueryFailedError, Repository } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { AppError, ForbiddenError, SessionNotFoundError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { KeyedMutex } from '../../common/utils/keyed-mutex';
import type { SessionEntity } from '../../sessions/entities/session.entity';
import { SessionRegistry, type LiveState } from '../../sessions/session-registry';
import { PACING_PRESETS, type SessionSettings } from '../../sessions/session-settings';
import { SessionStatus } from '../../sessions/session-status';
import { SessionsService } from '../../sessions/sessions.service';
import type { GatewaySessionDto, GatewayStatusDto } from './dto/gateway.dto';
import { GatewaySessionEntity } from './entities/gateway-session.entity';
import { DEFAULT_SESSION, GATEWAY_SESSION_NAME, toGatewayStatus, toGatewayTimestamp } from './gateway.mapper';

/**
 * The native settings of every session this API creates: the WA Gateway's 8–22 s pacing (the
 * `careful` preset) and its opt-in rule: a message to a contact who never said YES waits (`hold`)
 * instead of failing. They are ordinary session settings, so an operator can
 * change them later (`PATCH /api/sessions/{id}/settings`).
 */
export const GATEWAY_SESSION_SETTINGS: Partial<SessionSettings> = {
  ...PACING_PRESETS.careful,
  requireOptIn: true,
  optInMode: 'hold',
};

/**
 * The WA Gateway's sessions by name. Each name points at one native session (table
 * `compat_gateway_session`); `default` is created the first time a call needs it.
 */
@Injectable()
export class GatewaySessionsService {
  /** Two first calls at once must not both create `default` (or a name being created). */
  private readonly creating = new KeyedMutex();

  constructor(
    @InjectRepository(GatewaySessionEntity) private readonly names: Repository<GatewaySessionEntity>,
    private readonly sessions: SessionsService,
    private readonly registry: SessionRegistry,
  ) {}

  /**
   * The native session behind a gateway name; `default` (also when `name` is omitted) is
   * created on first use as a QR session that starts linking at once.
   * @throws SessionNotFoundError (unknown name)
   */
  async resolve(principal: Principal, name: string | undefined): Promise<SessionEntity> {
    const wanted = name ?? DEFAULT_SESSION;
    const row = GATEWAY_SESSION_NAME.test(wanted) ? await this.names.findOneBy({ name: wanted }) : null;
    if (row) return this.registry.getFresh(row.sessionId);
    if (wanted !== DEFAULT_SESSION) throw new SessionNotFoundError(wanted);
    return this.createNamed(principal, DEFAULT_SESSION, false);
  }

  /** The native session behind a gateway name (`default` when omitted), or null (none yet: nothing is created here). */
  async sessionIdOf(name: string | undefined): Promise<string | null> {
    const wanted = name ?? DEFAULT_SESSION;
    if (!GATEWAY_SESSION_NAME.test(wanted)) return null;
    return (await this.names.findOneBy({ name: wanted }))?.sessionId ?? null;
  }

  /** Whether a native session is one of the gateway's (has a gateway name). */
  async isGatewaySession(sessionId: string): Promise<boolean> {
    return (await this.names.countBy({ sessionId })) > 0;
  }

  /** `GET /api/status`: the default session. */
  async status(principal: Principal): Promise<GatewayStatusDto> {
    const { id } = await this.resolve(principal, DEFAULT_SESSION);
    const { live, entity } = await this.registry.snapshot(id);
    return { ...this.describe(DEFAULT_SESSION, entity, live), qr_code: await this.qrDataUrl(entity) };
  }

  /** `GET /api/sessions`: every gateway session, `default` first (created if missing), then by creation. */
  async list(principal: Principal): Promise<GatewaySessionDto[]> {
    await this.resolve(principal, DEFAULT_SESSION);
    const rows = await this.names.find({ order: { createdAt: 'ASC', name: 'ASC' } });
    rows.sort((a, b) => Number(b.name === DEFAULT_SESSION) - Number(a.name === DEFAULT_SESSION));
    const out: GatewaySessionDto[] = [];
    for (const row of rows) {
      const { live, entity } = await this.registry.snapshot(row.sessionId);
      out.push(this.describe(row.name, entity, live));
    }
    return out;
  }

  /**
   * `POST /api/sessions {name}`: a new session that starts linking at once.
   * @throws AppError VALIDATION_FAILED (name rules), SESSION_NAME_TAKEN (409)
   */
  async create(principal: Principal, name: string): Promise<void> {
    if (!GATEWAY_SESSION_NAME.test(name)) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'name must be 1–40 characters: letters, digits, dash or underscore', {
        fields: [{ field: 'name', messages: ['name must be 1–40 characters: letters, digits, dash or underscore'] }],
      });
    }
    await this.createNamed(principal, name, true);
  }

  /**
   * `DELETE /api/sessions/:name`: unlinks and removes the session; its name becomes free.
   * @throws ForbiddenError (`default`), SessionNotFoundError
   */
  async remove(name: string): Promise<void> {
    if (name === DEFAULT_SESSION) throw new ForbiddenError('The default session cannot be deleted');
    const row = GATEWAY_SESSION_NAME.test(name) ? await this.names.findOneBy({ name }) : null;
    if (!row) throw new SessionNotFoundError(name);
    await this.sessions.remove(await this.registry.getFresh(row.sessionId));
    await this.names.delete({ name });
  }

  /**
   * `POST /api/regenerate-qr`: closes the connection and connects again. A linked session
   * logs in again with its credentials; an unlinked one (never linked, logged out, or stopped
   * after an unscanned QR) starts a fresh QR.
   * @throws SessionNotFoundError
   */
  async regenerateQr(principal: Principal, name: string | undefined): Promise<string> {
    const wanted = name ?? DEFAULT_SESSION;
    const session = await this.resolve(principal, wanted);
    await this.sessions.apply(session, 'restart');
    return wanted;
  }

  private async createNamed(principal: Principal, name: string, failIfExists: boolean): Promise<SessionEntity> {
    return this.creating.run(name, async () => {
      const existing = await this.names.findOneBy({ name });
      if (existing) {
        if (failIfExists) throw taken(name);
        return this.registry.getFresh(existing.sessionId);
      }
      const session = await this.sessions.create(principal, { name, method: 'qr' }, GATEWAY_SESSION_SETTINGS);
      try {
        await this.names.insert({ name, sessionId: session.id });
      } catch (err) {
        // Another server process took the name first: ours is not needed.
        if (!isUniqueViolation(err)) throw err;
        await this.sessions.remove(session);
        const winner = await this.names.findOneBy({ name });
        if (failIfExists || !winner) throw taken(name);
        return this.registry.getFresh(winner.sessionId);
      }
      return this.registry.getFresh(session.id);
    });
  }

  private describe(name: string, session: SessionEntity, live: LiveState | null): GatewaySessionDto {
    const status = live?.status ?? session.status;
    const unlinked = status === SessionStatus.LOGGED_OUT || (status === SessionStatus.INACTIVE && session.lastError === 'DELETED');
    return {
      name,
      status: toGatewayStatus(status),
      phone: unlinked ? null : session.mobileNumber,
      last_seen: toGatewayTimestamp(session.lastSeenAt),
    };
  }

  private async qrDataUrl(session: SessionEntity): Promise<string | null> {
    const live = this.registry.liveState(session.id);
    if (!live?.qr || live.status === SessionStatus.READY) return null;
    return QRCode.toDataURL(live.qr, { margin: 2, width: 320 });
  }
}

function taken(name: string): AppError {
  return new AppError(ErrorCode.SESSION_NAME_TAKEN, `A session named "${name}" already exists`, { name });
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof QueryFailedError && (err.driverError as { code?: string } | undefined)?.code === '23505';
}
