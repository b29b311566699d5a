import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { phoneNumberIdOf } from '../common/utils/graph-ids';
import { EventBus } from '../events/event-bus';
import { EVENT_OUTBOX, type EventOutbox } from '../events/event-outbox';
import { SessionStatusChangeEntity } from './entities/session-status-change.entity';
import { SessionEntity } from './entities/session.entity';
import { SessionResolver } from './session-resolver';
import type { SessionSettings } from './session-settings';
import { SessionStatus } from './session-status';

/** The columns the live runtime keeps up to date. */
export type SessionPatch = Partial<
  Pick<
    SessionEntity,
    'active' | 'lastError' | 'mobileNumber' | 'mobid' | 'meJid' | 'pushName' | 'connectedAt' | 'lastSeenAt' | 'reconnectAttempts' | 'method' | 'pairingPhone'
  >
>;

export type NewSession = Pick<SessionEntity, 'id' | 'name' | 'method' | 'pairingPhone' | 'engine' | 'settings'>;

export interface StatusChange {
  status: SessionStatus;
  reason: string | null;
  patch?: SessionPatch;
  at: Date;
  /** The status the runtime held before; undefined when it does not run the session (read from the row). */
  previous?: SessionStatus | null;
}

/**
 * The only writer of the `session` and `session_status_change` tables. Every write forgets
 * the resolver's cached lookups of the session. The runtime's writes (status changes, account
 * details, `session.qr`) are queued per session and land in call order behind its in-memory
 * state; `flush` waits for them.
 */
@Injectable()
export class SessionStore {
  private readonly logger = new Logger(SessionStore.name);
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    private readonly resolver: SessionResolver,
    private readonly bus: EventBus,
    @Optional() @Inject(EVENT_OUTBOX) private readonly outbox?: EventOutbox,
  ) {}

  /**
   * Inserts a new session, REGISTERING and active, with its first history entry and its
   * `session.created` event (one transaction), then emits `session.created` on the bus.
   */
  async create(values: NewSession): Promise<SessionEntity> {
    const at = new Date();
    const entity = await this.sessions.manager.transaction(async (tx) => {
      const repo = tx.getRepository(SessionEntity);
      const saved = await repo.save(
        repo.create({ ...values, phoneNumberId: phoneNumberIdOf(values.id), status: SessionStatus.REGISTERING, active: true, statusChangedAt: at }),
      );
      await tx.getRepository(SessionStatusChangeEntity).insert({ sessionId: saved.id, status: SessionStatus.REGISTERING, reason: 'CREATED' });
      const data = { name: saved.name, method: saved.method, workspace: saved.settings.workspace ?? null, status: SessionStatus.REGISTERING };
      await this.outbox?.publish({ type: 'session.created', sessionId: saved.id, at, data }, tx);
      return saved;
    });
    this.bus.emit({
      type: 'session.created',
      sessionId: entity.id,
      name: entity.name,
      method: entity.method,
      workspace: entity.settings.workspace ?? null,
      at: at.toISOString(),
    });
    return entity;
  }

  /** Replaces the session's stored settings and emits `session.settings`. */
  async saveSettings(sessionId: string, settings: Partial<SessionSettings>): Promise<void> {
    await this.sessions.update({ id: sessionId }, { settings });
    this.resolver.forget(sessionId);
    this.bus.emit({ type: 'session.settings', sessionId, at: new Date().toISOString() });
  }

  /** Writes columns at once (not queued): the runtime marking a session active before it launches. */
  async update(sessionId: string, patch: SessionPatch): Promise<void> {
    await this.sessions.update({ id: sessionId }, patch);
    this.resolver.forget(sessionId);
  }

  /** Queues a write of columns behind the session's earlier queued writes. */
  queueUpdate(sessionId: string, patch: SessionPatch): void {
    this.enqueue(sessionId, () => this.update(sessionId, patch));
  }

  /**
   * Queues a status change: the row, its history entry and the `session.status` event commit
   * together, then `session.status` goes on the in-process bus. When the status equals the
   * stored one only the patch is written.
   */
  queueStatus(sessionId: string, change: StatusChange): void {
    const { status, reason, patch = {}, at } = change;
    this.enqueue(sessionId, async () => {
      this.resolver.forget(sessionId);
      const before = change.previous !== undefined ? change.previous : ((await this.sessions.findOneBy({ id: sessionId }))?.status ?? null);
      const statusChanged = before !== status;
      await this.sessions.manager.transaction(async (tx) => {
        await tx.getRepository(SessionEntity).update({ id: sessionId }, { ...patch, status, ...(statusChanged ? { statusChangedAt: at } : {}) });
        if (!statusChanged) return;
        await tx.getRepository(SessionStatusChangeEntity).insert({ sessionId, status, reason });
        await this.outbox?.publish({ type: 'session.status', sessionId, at, data: { status, previousStatus: before, reason } }, tx);
      });
      this.resolver.forget(sessionId);
      if (!statusChanged) return;
      this.logger.log({ sessionId, status, previous: before, reason }, 'Session status changed');
      this.bus.emit({ type: 'session.status', sessionId, status, previousStatus: before, reason, at: at.toISOString() });
    });
  }

  /** Queues `session.qr`, recorded in order after the status writes queued before it. */
  queueQr(sessionId: string, qr: string): void {
    const at = new Date();
    this.enqueue(sessionId, async () => {
      await this.outbox?.publish({ type: 'session.qr', sessionId, at, data: { qr } });
      this.bus.emit({ type: 'session.qr', sessionId, qr, at: at.toISOString() });
    });
  }

  /** Resolves once every write queued so far for the session is in the database. */
  async flush(sessionId: string): Promise<void> {
    await this.writes.get(sessionId);
  }

  /** Resolves once every queued write of every session has landed (shutdown). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.writes.values()]);
  }

  private enqueue(sessionId: string, write: () => Promise<void>): void {
    const previous = this.writes.get(sessionId) ?? Promise.resolve();
    const next = previous.then(write).catch((err) => this.logger.error({ err, sessionId }, 'Persisting session state failed'));
    this.writes.set(sessionId, next);
    void next.then(() => {
      if (this.writes.get(sessionId) === next) this.writes.delete(sessionId);
    });
  }
}
