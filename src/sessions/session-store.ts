import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { phoneNumberIdOf } from '../common/utils/graph-ids';
import { AtRestEncryption, underReencryptLock } from '../crypto/at-rest-encryption';
import { openColumn, sealColumn } from '../crypto/encrypted-column';
import { SecretBox } from '../crypto/secret-box';
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

/** The QR or pairing code a session being linked shows, as its owner published it. */
export interface SharedLinkCode {
  qr: string | null;
  pairingCode: string | null;
  /** The replica that published it (the one running the session). */
  node: string;
}

/**
 * How long a published QR / pairing code is trusted without being replaced. WhatsApp rotates a
 * QR within a minute and the owner republishes each one; the bound only matters when the owner
 * died while linking (a survivor then shows a new one).
 */
const QR_SHARE_MS = 60_000;
const PAIRING_CODE_SHARE_MS = 180_000;

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
    private readonly box: SecretBox,
    encryption: AtRestEncryption,
    @Optional() @Inject(EVENT_OUTBOX) private readonly outbox?: EventOutbox,
  ) {
    // Published QRs and pairing codes are sealed with the master key: rewritten with a new one at boot.
    encryption.register({ name: 'session_link_code', reencrypt: () => this.reencryptLinkCodes() });
  }

  /**
   * Rewrites the published link codes sealed with a previous master key (or in clear) with the
   * current one (boot step after a rotation), compare-and-set so a newer publication wins.
   * Expired ones are never read again: left alone. One that cannot be opened (a key this replica
   * lacks, a tampered row) is deleted rather than stopping the boot: its owner publishes a new
   * one within a minute.
   */
  reencryptLinkCodes(): Promise<number> {
    return underReencryptLock(this.sessions.manager, async (tx) => {
      const prefix = this.box.currentPrefix;
      const rows: { session_id: string; qr: string | null; pairing_code: string | null }[] = await tx.query(
        `SELECT session_id, qr, pairing_code FROM session_link_code
          WHERE expires_at > now() AND (left(qr, length($1)) <> $1 OR left(pairing_code, length($1)) <> $1)`,
        [prefix],
      );
      let total = 0;
      for (const row of rows) {
        const same = `session_id = $1 AND qr IS NOT DISTINCT FROM $2 AND pairing_code IS NOT DISTINCT FROM $3`;
        const reseal = (column: 'qr' | 'pairing_code', value: string | null) =>
          value === null || value.startsWith(prefix) ? value : this.box.seal(this.box.open(value, linkCodeAddress(column, row.session_id)), linkCodeAddress(column, row.session_id));
        let qr: string | null;
        let pairing: string | null;
        try {
          qr = reseal('qr', row.qr);
          pairing = reseal('pairing_code', row.pairing_code);
        } catch {
          this.logger.warn({ sessionId: row.session_id }, 'A published QR that this replica cannot open was withdrawn');
          await tx.query(`DELETE FROM session_link_code WHERE ${same}`, [row.session_id, row.qr, row.pairing_code]);
          continue;
        }
        await tx.query(`UPDATE session_link_code SET qr = $4, pairing_code = $5 WHERE ${same}`, [row.session_id, row.qr, row.pairing_code, qr, pairing]);
        total += 1;
      }
      return total;
    });
  }

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

  /**
   * Queues publishing the QR or pairing code `node` shows for the session (sealed with the master
   * key), so another replica can answer for it; replaces what was published before.
   */
  queueLinkCode(sessionId: string, node: string, code: { qr: string } | { pairingCode: string }): void {
    const qr = 'qr' in code ? sealColumn(code.qr, linkCodeAddress('qr', sessionId)) : null;
    const pairing = 'pairingCode' in code ? sealColumn(code.pairingCode, linkCodeAddress('pairing_code', sessionId)) : null;
    const ttl = qr ? QR_SHARE_MS : PAIRING_CODE_SHARE_MS;
    this.enqueue(sessionId, async () => {
      await this.sessions.query(
        `INSERT INTO session_link_code (session_id, node, qr, pairing_code, expires_at, updated_at)
         VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond', now())
         ON CONFLICT (session_id) DO UPDATE SET node = excluded.node,
           qr = COALESCE(excluded.qr, CASE WHEN session_link_code.node = excluded.node THEN session_link_code.qr END),
           pairing_code = COALESCE(excluded.pairing_code, CASE WHEN session_link_code.node = excluded.node THEN session_link_code.pairing_code END),
           expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
        [sessionId, node, qr, pairing, ttl],
      );
    });
  }

  /**
   * Queues withdrawing what `node` published for the session (linked, closed, logged out or
   * handed over). What another replica published since is left alone.
   */
  queueLinkCodeCleared(sessionId: string, node: string): void {
    this.enqueue(sessionId, async () => {
      await this.sessions.query(`DELETE FROM session_link_code WHERE session_id = $1 AND node = $2`, [sessionId, node]);
    });
  }

  /** The QR or pairing code published for the session and not expired (database clock), or null. */
  async sharedLinkCode(sessionId: string): Promise<SharedLinkCode | null> {
    const [row]: { node: string; qr: string | null; pairing_code: string | null }[] = await this.sessions.query(
      `SELECT node, qr, pairing_code FROM session_link_code WHERE session_id = $1 AND expires_at > now()`,
      [sessionId],
    );
    if (!row) return null;
    try {
      return {
        node: row.node,
        qr: row.qr === null ? null : openColumn(row.qr, linkCodeAddress('qr', sessionId)),
        pairingCode: row.pairing_code === null ? null : openColumn(row.pairing_code, linkCodeAddress('pairing_code', sessionId)),
      };
    } catch {
      // Sealed under a key this replica lacks (replicas must share MASTER_KEY): not usable here.
      this.logger.warn({ sessionId }, 'The published QR could not be opened with this replica\'s master key');
      return null;
    }
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

/** The sealing address of a published link code: the column and the session it belongs to. */
function linkCodeAddress(column: 'qr' | 'pairing_code', sessionId: string): string {
  return `session_link_code.${column}:${sessionId}`;
}
