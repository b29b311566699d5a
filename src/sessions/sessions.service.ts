import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as QRCode from 'qrcode';
import { Brackets, Repository } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AppError, ForbiddenError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { normalizePhoneNumber } from '../common/utils/phone-number';
import { AppConfig } from '../config/app-config';
import type {
  CreateSessionDto,
  ListSessionsQueryDto,
  QrResponseDto,
  SessionDto,
  StatusChangeDto,
  UpdateSessionSettingsDto,
} from './dto/session.dto';
import { SessionStatusChangeEntity } from './entities/session-status-change.entity';
import { SessionEntity } from './entities/session.entity';
import { effectiveStatus, RUNNING_STATUSES, toSessionDto } from './session.mapper';
import { SessionAccess } from './session-access';
import { SessionRegistry } from './session-registry';
import { SessionResolver } from './session-resolver';
import { SessionStatus } from './session-status';
import { PACING_PRESETS, resolveSessionSettings, type SessionSettings } from './session-settings';
import { SessionStore } from './session-store';

export type QrResult = { kind: 'json'; body: QrResponseDto } | { kind: 'png'; png: Buffer };

/** How often a replica that does not run a linking session looks for the QR its owner published. */
const SHARED_QR_POLL_MS = 250;

/** The lifecycle changes a caller can ask of one session. */
export type SessionLifecycleAction = 'restart' | 'start' | 'stop' | 'logout' | 'relink';

/**
 * The sessions API's use cases: listing, creation, QR, settings, history, and lifecycle through
 * the runtime. Methods named after a route take the session SessionPipe already authorized.
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(SessionStatusChangeEntity) private readonly history: Repository<SessionStatusChangeEntity>,
    private readonly registry: SessionRegistry,
    private readonly resolver: SessionResolver,
    private readonly access: SessionAccess,
    private readonly store: SessionStore,
    private readonly config: AppConfig,
  ) {}

  /**
   * Sessions the caller may see, newest first, filtered and paged. `only` narrows the listing to
   * these session ids (a product API listing the sessions it made); an empty list matches none.
   */
  async list(
    principal: Principal,
    query: ListSessionsQueryDto,
    only?: readonly string[],
  ): Promise<{ sessions: SessionDto[]; total: number; page: number; limit: number }> {
    const page = query.page ?? 1;
    const limit = query.limit ?? 500;
    if (only && !only.length) return { sessions: [], total: 0, page, limit };
    const qb = this.sessions.createQueryBuilder('s').orderBy('s.created_at', 'DESC').skip((page - 1) * limit).take(limit);
    if (only) qb.andWhere('s.id IN (:...only)', { only });
    if (principal.sessionId) qb.andWhere('s.id = :bound', { bound: principal.sessionId });
    const workspace = principal.workspace ?? query.workspace;
    if (workspace) qb.andWhere(`s.settings->>'workspace' = :workspace`, { workspace });
    if (query.status) qb.andWhere('s.status = :status', { status: query.status });
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        new Brackets((w) =>
          w.where('s.id ILIKE :like', { like }).orWhere('s.name ILIKE :like').orWhere('s.mobile_number ILIKE :like').orWhere('s.mobid ILIKE :like'),
        ),
      );
    }
    const [rows, total] = await qb.getManyAndCount();
    const placement = await this.registry.placement(rows.map((e) => e.id));
    return {
      sessions: rows.map((e) => toSessionDto(e, this.registry.liveState(e.id), this.settingsDefaults(), placement.get(e.id))),
      total,
      page,
      limit,
    };
  }

  /**
   * Creates a session and starts linking it. A session-bound token may not create sessions.
   * `initialSettings` are stored with the row before it starts (a product API's defaults, e.g.
   * the WA Gateway's pacing and opt-in); they stay changeable through updateSettings.
   * @throws ForbiddenError, AppError VALIDATION_FAILED (unusable phone number)
   */
  async create(principal: Principal, dto: CreateSessionDto, initialSettings: Partial<SessionSettings> = {}): Promise<SessionEntity> {
    if (principal.sessionId) throw new ForbiddenError('A session-bound token may not create sessions');
    if (dto.workspace && principal.workspace && dto.workspace !== principal.workspace) {
      throw new ForbiddenError('A workspace-bound token may only create sessions in its workspace');
    }
    const workspace = dto.workspace ?? principal.workspace ?? null;
    const method = dto.method ?? 'qr';
    let pairingPhone: string | null = null;
    if (dto.phoneNumber !== undefined) {
      pairingPhone = normalizePhoneNumber(dto.phoneNumber, this.config.whatsapp.defaultCountry);
      if (!pairingPhone) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'phoneNumber is not a valid phone number', {
          fields: [{ field: 'phoneNumber', messages: ['phoneNumber must be a phone number with country code'] }],
        });
      }
    }
    const entity = await this.store.create({
      id: `${method}_${Date.now()}_${randomBytes(4).toString('hex')}`,
      name: dto.name ?? null,
      method,
      pairingPhone,
      engine: this.config.whatsapp.engine,
      settings: { ...initialSettings, ...(workspace ? { workspace } : {}) },
    });
    await this.registry.start(entity.id);
    return entity;
  }

  /** The session as stored once the live state's writes landed, with that live state. */
  async get({ id }: SessionEntity): Promise<SessionDto> {
    // Status changes are written behind the live state; wait for them so the row matches it.
    // The live state is taken before the wait: one taken after could be a change (READY) newer
    // than the row read, shown without the account its write carries.
    const live = this.registry.liveState(id);
    const entity = await this.registry.getFresh(id);
    const node = (await this.registry.placement([id])).get(id);
    return toSessionDto(entity, live, this.settingsDefaults(), node);
  }

  /**
   * The QR (or pairing code) of a session that is linking. An idle unlinked session is
   * started so a fresh QR appears; waits briefly for the first one. A session another replica
   * runs is answered from the QR that replica published.
   * @throws AppError SESSION_ALREADY_LINKED (409), QR_NOT_AVAILABLE (409)
   */
  async qr(entity: SessionEntity, format: 'json' | 'png'): Promise<QrResult> {
    const live = this.registry.liveState(entity.id);
    if ((live?.status ?? entity.status) === SessionStatus.READY) {
      throw new AppError(ErrorCode.SESSION_ALREADY_LINKED, 'The session is already linked; there is no QR to scan', {
        sessionId: entity.id,
        status: SessionStatus.READY,
      });
    }
    if (!live) await this.registry.start(entity.id);
    if (!this.registry.liveState(entity.id)) return this.sharedQr(entity, format);
    const state = await this.registry.waitFor(
      entity.id,
      (s) => Boolean(s?.qr || s?.pairingCode) || s?.status === SessionStatus.READY,
      this.config.whatsapp.qrWaitTimeoutMs,
    );
    return this.qrAnswer(entity, state?.status ?? entity.status, state?.qr ?? null, state?.pairingCode ?? null, format);
  }

  /**
   * The QR of a session another replica runs: what its owner published (docs/scaling.md),
   * waiting briefly for a first one.
   */
  private async sharedQr(entity: SessionEntity, format: 'json' | 'png'): Promise<QrResult> {
    const deadline = Date.now() + this.config.whatsapp.qrWaitTimeoutMs;
    for (;;) {
      const shared = await this.store.sharedLinkCode(entity.id);
      const current = await this.registry.getFresh(entity.id);
      if (shared || current.status === SessionStatus.READY || Date.now() >= deadline) {
        return this.qrAnswer(current, current.status, shared?.qr ?? null, shared?.pairingCode ?? null, format);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(SHARED_QR_POLL_MS, Math.max(0, deadline - Date.now()))));
    }
  }

  /** @throws AppError SESSION_ALREADY_LINKED (409), QR_NOT_AVAILABLE (409) */
  private async qrAnswer(entity: SessionEntity, status: SessionStatus, qr: string | null, pairingCode: string | null, format: 'json' | 'png'): Promise<QrResult> {
    if (entity.method === 'phone' && pairingCode) {
      if (format === 'png') throw new AppError(ErrorCode.QR_NOT_AVAILABLE, 'Method "phone" links with a pairing code, not a QR image');
      return { kind: 'json', body: { success: true, method: 'phone', status, pairingCode } };
    }
    if (!qr) {
      throw new AppError(
        status === SessionStatus.READY ? ErrorCode.SESSION_ALREADY_LINKED : ErrorCode.QR_NOT_AVAILABLE,
        status === SessionStatus.READY ? 'The session is already linked' : 'No QR is available yet; retry in a few seconds',
        { sessionId: entity.id, status },
      );
    }
    if (format === 'png') return { kind: 'png', png: await QRCode.toBuffer(qr, { type: 'png', margin: 2, width: 320 }) };
    return {
      kind: 'json',
      body: { success: true, method: 'qr', status, qr, qrCodeDataUrl: await QRCode.toDataURL(qr, { margin: 2, width: 320 }) },
    };
  }

  /**
   * Makes an unlinked session link by QR (`qr`) or by a pairing code for `phoneNumber` (digits
   * with country code, `phone`), then starts a fresh registration. Nothing changes when the
   * session already links that way and runs. Returns the row as stored afterwards.
   * @throws AppError SESSION_ALREADY_LINKED (409), VALIDATION_FAILED (unusable phone number)
   */
  async setLinkMethod(entity: SessionEntity, method: 'qr' | 'phone', phoneNumber: string | null = null): Promise<SessionEntity> {
    const pairingPhone = method === 'phone' ? normalizePhoneNumber(`+${phoneNumber ?? ''}`) : null;
    if (method === 'phone' && !pairingPhone) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'phoneNumber is not a phone number with country code', {
        fields: [{ field: 'phoneNumber', messages: ['phoneNumber must be a phone number with country code'] }],
      });
    }
    const current = await this.registry.getFresh(entity.id);
    const live = this.registry.liveState(entity.id);
    const status = live?.status ?? current.status;
    // Credentials of a linked account (even one reconnecting) are never wiped by a change of method.
    const linked = status === SessionStatus.READY || (current.mobileNumber !== null && status !== SessionStatus.LOGGED_OUT && current.lastError !== 'DELETED');
    if (linked) {
      throw new AppError(ErrorCode.SESSION_ALREADY_LINKED, 'The session is already linked; log it out to link again', { sessionId: entity.id, status });
    }
    if (live && current.method === method && current.pairingPhone === pairingPhone) return current;
    await this.store.update(entity.id, { method, pairingPhone });
    await this.registry.relink(entity.id);
    return this.registry.getFresh(entity.id);
  }

  async remove(entity: SessionEntity): Promise<void> {
    await this.registry.remove(entity.id);
  }

  /** Applies a lifecycle change (the registry method of that name) and answers the session as it is afterwards. */
  async apply(entity: SessionEntity, action: SessionLifecycleAction): Promise<SessionDto> {
    await this.registry[action](entity.id);
    return this.get(entity);
  }

  async statusHistory(entity: SessionEntity): Promise<StatusChangeDto[]> {
    const rows = await this.history.find({ where: { sessionId: entity.id }, order: { id: 'DESC' }, take: 200 });
    return rows.map((r) => ({ status: r.status, reason: r.reason, at: r.createdAt.toISOString() }));
  }

  /** Sandbox engine: completes the link as the phone would. */
  async sandboxLink(entity: SessionEntity, phoneNumber?: string): Promise<SessionDto> {
    let number: string | undefined;
    if (phoneNumber !== undefined) {
      number = normalizePhoneNumber(phoneNumber, this.config.whatsapp.defaultCountry) ?? undefined;
      if (!number) throw new AppError(ErrorCode.VALIDATION_FAILED, 'phoneNumber is not a valid phone number');
    }
    await this.registry.sandbox(entity).link(number);
    return this.get(entity);
  }

  /** Sandbox engine: a contact calls the session. */
  async sandboxCall(entity: SessionEntity, from: string, isVideo: boolean): Promise<{ id: string }> {
    const caller = normalizePhoneNumber(from, this.config.whatsapp.defaultCountry);
    if (!caller) throw new AppError(ErrorCode.VALIDATION_FAILED, 'from is not a valid phone number');
    return this.registry.sandbox(entity).receiveCall(caller, isVideo);
  }

  /** Sandbox engine: a contact writes to the session. */
  async sandboxInbound(entity: SessionEntity, from: string, text: string): Promise<{ id: string }> {
    const sender = normalizePhoneNumber(from, this.config.whatsapp.defaultCountry);
    if (!sender) throw new AppError(ErrorCode.VALIDATION_FAILED, 'from is not a valid phone number');
    return this.registry.sandbox(entity).receiveText(sender, text);
  }

  /**
   * Updates the session's policy (pacing, daily cap, opt-in, workspace). `preset` expands to
   * a pacing pair; explicit min/max win over it.
   * @throws AppError VALIDATION_FAILED when min > max; ForbiddenError when a bound token changes the workspace
   */
  async updateSettings(principal: Principal, entity: SessionEntity, dto: UpdateSessionSettingsDto): Promise<SessionDto> {
    // The workspace label scopes tokens: a bound token moving its session would widen or escape its binding.
    if (dto.workspace !== undefined && principal.isBound && (dto.workspace ?? null) !== (entity.settings.workspace ?? null)) {
      throw new ForbiddenError("A session- or workspace-bound token may not change a session's workspace");
    }
    const { preset, ...rest } = dto;
    const merged = { ...entity.settings, ...(preset ? PACING_PRESETS[preset] : {}), ...stripUndefined(rest) };
    const effective = resolveSessionSettings(merged, this.settingsDefaults());
    if (effective.minDelayMs > effective.maxDelayMs) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'minDelayMs must not exceed maxDelayMs', {
        fields: [{ field: 'minDelayMs', messages: ['minDelayMs must not exceed maxDelayMs'] }],
      });
    }
    await this.store.saveSettings(entity.id, merged);
    return this.get(entity);
  }

  /**
   * Labels the session named in the body with a workspace (the device-token gateway's call);
   * the same rules as updateSettings.
   * @throws SessionNotFoundError, ForbiddenError
   */
  async assignWorkspace(principal: Principal, ref: string, workspace: string | null): Promise<SessionDto> {
    const entity = await this.access.authorize(principal, ref);
    return this.updateSettings(principal, entity, { workspace });
  }

  /** Workspaces in use, with their session counts (the device-token gateway). */
  async workspaces(principal: Principal): Promise<{ name: string; sessions: number }[]> {
    const rows: { name: string; n: number }[] = await this.sessions.query(
      `SELECT settings->>'workspace' AS name, count(*)::int AS n FROM session
        WHERE settings->>'workspace' IS NOT NULL AND ($1::text IS NULL OR settings->>'workspace' = $1) AND ($2::text IS NULL OR id = $2)
        GROUP BY 1 ORDER BY 1`,
      [principal.workspace, principal.sessionId],
    );
    return rows.map((r) => ({ name: r.name, sessions: r.n }));
  }

  /**
   * How many sessions are in each status, as session info reports it (`effectiveStatus`: the live
   * status here, DISCONNECTED for a running row whose lease nobody holds); only those of
   * `sessionIds` unless it is null.
   */
  async statusCounts(sessionIds: string[] | null): Promise<Record<string, number>> {
    const rows: { status: SessionStatus; active: boolean; n: number; ids: string[] | null }[] = await this.sessions.query(
      `SELECT status, active, count(*)::int AS n,
              CASE WHEN active AND status::text = ANY($2::text[]) THEN array_agg(id) END AS ids
         FROM session WHERE ($1::text[] IS NULL OR id = ANY($1)) GROUP BY status, active`,
      [sessionIds, RUNNING_STATUSES],
    );
    const counts: Record<string, number> = {};
    const add = (status: string, n: number) => (counts[status] = (counts[status] ?? 0) + n);
    // Only rows claiming a socket somewhere need their lease (or this node's live state) looked up.
    const running = rows.flatMap((r) => (r.ids ?? []).map((id) => ({ id, status: r.status, active: r.active })));
    const placement = running.length ? await this.registry.placement(running.map((r) => r.id)) : new Map<string, string | null>();
    for (const r of rows) if (!r.ids) add(r.status, r.n);
    for (const r of running) add(effectiveStatus(r, this.registry.liveState(r.id), placement.get(r.id)), 1);
    return counts;
  }

  /** The session's effective policy. */
  async settingsOf(sessionId: string): Promise<SessionSettings> {
    const entity = await this.resolver.getEntity(sessionId);
    return resolveSessionSettings(entity.settings, this.settingsDefaults());
  }

  private settingsDefaults() {
    const q = this.config.queue;
    return { minDelayMs: q.defaultMinDelayMs, maxDelayMs: q.defaultMaxDelayMs };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
