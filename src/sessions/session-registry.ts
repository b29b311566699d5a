import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppError, SessionBusyError, SessionNotReadyError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { KeyedMutex } from '../common/utils/keyed-mutex';
import { storableText } from '../common/utils/storable-text';
import { ClusterService, type DropReason, type LeaseHolder } from '../cluster/cluster.service';
import { AppConfig } from '../config/app-config';
import { EventBus } from '../events/event-bus';
import { AuthStateStore } from '../whatsapp/auth-state/auth-state.store';
import { DisconnectReason, type EngineAccount, type EngineEvent, type InboundMessage, type MessageStatusUpdate } from '../whatsapp/engine/engine-events';
import {
  ENGINE_FACTORY,
  isSandboxControl,
  type EngineFactory,
  type SandboxControl,
  type WhatsAppEngine,
} from '../whatsapp/engine/whatsapp-engine.port';
import type { SessionEntity } from './entities/session.entity';
import { decideReconnect } from './reconnect-policy';
import { SessionResolver } from './session-resolver';
import { SessionStatus } from './session-status';
import { SessionStore, type SessionPatch } from './session-store';

/** What the registry knows about a session it runs, beyond the database row. */
export interface LiveState {
  status: SessionStatus;
  qr: string | null;
  pairingCode: string | null;
  attempts: number;
}

interface LiveSession extends LiveState {
  id: string;
  engine: WhatsAppEngine;
  unsubscribe: () => void;
  linked: boolean;
  replacedCount: number;
  reconnectTimer: NodeJS.Timeout | null;
  stableTimer: NodeJS.Timeout | null;
}

/** How long an API lifecycle call waits for another one on the same session before SESSION_BUSY. */
const BUSY_WAIT_MS = 5_000;

/**
 * The longest a restored session holds its handshake slot: one that neither opens nor closes
 * by then (Baileys gives up after 20 s) lets the next one connect.
 */
const HANDSHAKE_SLOT_MS = 30_000;

/**
 * The live runtime: the only owner of WhatsApp engines in this process. It serializes
 * start/stop/logout per session, turns engine events into status changes (written by
 * SessionStore), applies the reconnect policy to every close, hands inbound messages and
 * receipts to their stores, and restores active sessions at boot.
 *
 * With several replicas on one database it runs only the sessions whose lease this node holds
 * (ClusterService, docs/scaling.md): it opens a socket only under a lease, closes it the moment
 * the lease is lost or handed over, and hands every engine a fence for its credential writes.
 */
@Injectable()
export class SessionRegistry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SessionRegistry.name);
  private readonly live = new Map<string, LiveSession>();
  private readonly mutex = new KeyedMutex();
  private readonly changes = new EventEmitter().setMaxListeners(0);
  /** Restored sessions in their handshake now, and those waiting for a slot (restoreOne). */
  private handshakesInFlight = 0;
  private readonly handshakeQueue: Array<() => void> = [];
  private restoring: Promise<void> = Promise.resolve();
  private shuttingDown = false;
  private inboundStore: ((sessionId: string, message: InboundMessage) => Promise<void>) | null = null;
  private receiptStore: ((sessionId: string, updates: MessageStatusUpdate[]) => Promise<void>) | null = null;

  constructor(
    @Inject(ENGINE_FACTORY) private readonly engines: EngineFactory,
    private readonly resolver: SessionResolver,
    private readonly store: SessionStore,
    private readonly authState: AuthStateStore,
    private readonly config: AppConfig,
    private readonly bus: EventBus,
    private readonly cluster: ClusterService,
  ) {}

  /** What the cluster asks of this runtime: which sessions should run, start these, close that. */
  private readonly leaseHolder: LeaseHolder = {
    wanted: async () => (await this.resolver.listActive()).map((row) => row.id),
    adopt: (sessionIds) => void this.restore(sessionIds),
    drop: (sessionId, reason) => this.drop(sessionId, reason),
    // A session being linked stays where its QR or pairing code is shown.
    movable: (sessionId) => this.live.get(sessionId)?.status !== SessionStatus.REGISTERING,
  };

  /**
   * Where the engines' inbound messages are stored (the messages module registers its inbound
   * storage at init). Engines acknowledge a message to WhatsApp only once this resolved.
   */
  setInboundStore(store: ((sessionId: string, message: InboundMessage) => Promise<void>) | null): void {
    this.inboundStore = store;
  }

  /**
   * Where the statuses of the engines' receipts are stored (the messages module registers its
   * receipt recorder at bootstrap). Engines acknowledge a receipt to WhatsApp only once this resolved.
   */
  setReceiptStore(store: ((sessionId: string, updates: MessageStatusUpdate[]) => Promise<void>) | null): void {
    this.receiptStore = store;
  }

  // ---------------------------------------------------------------- state

  /**
   * The row as it is in the database (no cache) once the state writes queued so far for the
   * session have landed: a caller who saw the live status change reads the row that goes with it.
   * @throws SessionNotFoundError
   */
  async getFresh(sessionId: string): Promise<SessionEntity> {
    await this.store.flush(sessionId);
    return this.resolver.getUncached(sessionId);
  }

  /**
   * The live state and the row that goes with it: the live state is taken first, then the row
   * once its writes have landed, so a READY shown here comes with the account its write carries
   * (taken the other way round, the live state can be newer than the row).
   * @throws SessionNotFoundError
   */
  async snapshot(sessionId: string): Promise<{ live: LiveState | null; entity: SessionEntity }> {
    const live = this.liveState(sessionId);
    return { live, entity: await this.getFresh(sessionId) };
  }

  /** Resolves once every state change this runtime made to the session is in the database. */
  flushWrites(sessionId: string): Promise<void> {
    return this.store.flush(sessionId);
  }

  liveState(sessionId: string): LiveState | null {
    const s = this.live.get(sessionId);
    return s ? { status: s.status, qr: s.qr, pairingCode: s.pairingCode, attempts: s.attempts } : null;
  }

  liveCount(): number {
    return this.live.size;
  }

  /**
   * Resolves once `predicate` holds for the session's live state, or with the last state
   * seen (possibly null) after `timeoutMs`.
   */
  waitFor(sessionId: string, predicate: (state: LiveState | null) => boolean, timeoutMs: number): Promise<LiveState | null> {
    const current = this.liveState(sessionId);
    if (predicate(current)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const onChange = () => {
        const state = this.liveState(sessionId);
        if (predicate(state)) done(state);
      };
      const timer = setTimeout(() => done(this.liveState(sessionId)), timeoutMs);
      const done = (state: LiveState | null) => {
        clearTimeout(timer);
        this.changes.off(sessionId, onChange);
        resolve(state);
      };
      this.changes.on(sessionId, onChange);
    });
  }

  /**
   * The engine of a READY session, waiting up to READY_WAIT_TIMEOUT_MS for it to become ready.
   * @throws SessionNotReadyError
   */
  async getReady(sessionId: string): Promise<WhatsAppEngine> {
    const state = await this.waitFor(sessionId, (s) => s?.status === SessionStatus.READY, this.config.whatsapp.readyWaitTimeoutMs);
    const live = this.live.get(sessionId);
    if (!live || state?.status !== SessionStatus.READY || !this.cluster.holds(sessionId)) {
      throw new SessionNotReadyError(sessionId, state?.status ?? (await this.resolver.getEntity(sessionId)).status);
    }
    return live.engine;
  }

  /** The engine of a session that is READY in this process right now, or null (no waiting). */
  readyEngine(sessionId: string): WhatsAppEngine | null {
    const live = this.live.get(sessionId);
    // The lease check (in memory) makes a node that lost the session stop sending at once,
    // before its socket is even closed.
    return live?.status === SessionStatus.READY && this.cluster.holds(sessionId) ? live.engine : null;
  }

  /** This replica's NODE_ID. */
  get nodeId(): string {
    return this.cluster.nodeId;
  }

  /**
   * Where each session runs: the node holding its unexpired lease; null when it runs nowhere
   * right now (its owner stopped renewing, or it was handed over and not yet taken); absent
   * when it was never leased (just created: its stored status stands).
   */
  placement(sessionIds: string[]): Promise<Map<string, string | null>> {
    return this.cluster.owners(sessionIds);
  }

  /** @throws AppError ENGINE_UNSUPPORTED (not a sandbox session), SESSION_INACTIVE (not running) */
  sandbox(entity: SessionEntity): SandboxControl {
    const live = this.live.get(entity.id);
    if (entity.engine !== 'sandbox') {
      throw new AppError(ErrorCode.ENGINE_UNSUPPORTED, `Session '${entity.id}' runs on the ${entity.engine} engine, not the sandbox`);
    }
    if (!live || !isSandboxControl(live.engine)) {
      throw new AppError(ErrorCode.SESSION_INACTIVE, `Session '${entity.id}' is not running; restart it first`);
    }
    return live.engine;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Connects a session (idempotent when it already runs). @throws SessionBusyError, AppError ENGINE_UNSUPPORTED */
  start(sessionId: string): Promise<void> {
    return this.exclusive(sessionId, async () => {
      if (this.live.has(sessionId)) return;
      const entity = await this.getFresh(sessionId);
      this.assertEngineConfigured(entity);
      // Held by another live node: it runs there already (started is what was asked).
      if (!(await this.cluster.acquire(sessionId))) return void (await this.store.update(sessionId, { active: true }));
      await this.store.update(sessionId, { active: true });
      await this.launch(entity);
    });
  }

  /** Closes the connection without unlinking; the session stays INACTIVE until started. Idempotent. */
  stop(sessionId: string): Promise<void> {
    return this.exclusive(sessionId, async () => {
      await this.teardown(sessionId, 'disconnect');
      // `active: false` also reaches a session another node runs: it closes it on its next round.
      this.setStatus(sessionId, SessionStatus.INACTIVE, 'STOPPED', { active: false });
      await this.flushWrites(sessionId);
      await this.cluster.release(sessionId);
    });
  }

  /** Closes and reconnects with the same credentials. */
  restart(sessionId: string): Promise<void> {
    return this.exclusive(sessionId, async () => {
      const entity = await this.getFresh(sessionId);
      this.assertEngineConfigured(entity);
      await this.requireLease(sessionId);
      await this.teardown(sessionId, 'disconnect');
      await this.store.update(sessionId, { active: true });
      await this.launch(entity);
    });
  }

  /** Unlinks the device (when connected), wipes credentials, keeps the record as LOGGED_OUT. */
  logout(sessionId: string, reason = 'LOGGED_OUT_BY_USER'): Promise<void> {
    return this.exclusive(sessionId, async () => {
      await this.requireLease(sessionId);
      await this.teardown(sessionId, 'logout');
      await this.authState.clear(sessionId);
      this.setStatus(sessionId, SessionStatus.LOGGED_OUT, reason, { active: false, lastError: null });
      await this.flushWrites(sessionId);
      await this.cluster.release(sessionId);
    });
  }

  /** Forgets the current link and starts a fresh registration (new QR or pairing code). */
  relink(sessionId: string): Promise<void> {
    return this.exclusive(sessionId, async () => {
      const entity = await this.getFresh(sessionId);
      this.assertEngineConfigured(entity);
      await this.requireLease(sessionId);
      await this.teardown(sessionId, 'logout');
      await this.authState.clear(sessionId);
      await this.store.update(sessionId, { active: true, lastError: null });
      await this.launch(entity);
    });
  }

  /** Logs out and marks the session INACTIVE (DELETE /api/sessions/:id). */
  remove(sessionId: string): Promise<void> {
    return this.exclusive(sessionId, async () => {
      await this.requireLease(sessionId);
      await this.teardown(sessionId, 'logout');
      await this.authState.clear(sessionId);
      this.setStatus(sessionId, SessionStatus.INACTIVE, 'DELETED', { active: false, lastError: 'DELETED' });
      await this.flushWrites(sessionId);
      await this.cluster.release(sessionId);
    });
  }

  // ---------------------------------------------------------------- boot and shutdown

  onApplicationBootstrap(): void {
    // The first cluster round claims this node's share of the active sessions (all of them on
    // a single node) before any socket opens; later rounds hand over what it claims via adopt.
    this.restoring = this.cluster
      .start(this.leaseHolder)
      .then((claimed) => this.restore(claimed))
      .catch((err) => this.logger.error({ err }, 'Joining the cluster failed; no session was restored'));
  }

  /** Resolves once every session this node claimed at boot has been started (not necessarily READY). */
  whenRestored(): Promise<void> {
    return this.restoring;
  }

  /**
   * Starts sessions whose lease this node just acquired (boot, or orphans of a node that died).
   * At most SESSION_RESTORE_CONCURRENCY of them are in their handshake at once (socket opened,
   * not yet READY, a QR or closed); the next one connects the moment one of them is through.
   * Resolves once every one of them has begun connecting.
   */
  private async restore(sessionIds: string[]): Promise<void> {
    if (!sessionIds.length) return;
    const wanted = new Set(sessionIds);
    const rows = (await this.resolver.listActive()).filter((row) => wanted.has(row.id));
    // A claimed session stopped meanwhile is handed back on the next round.
    if (!rows.length) return;
    this.logger.log(`Restoring ${rows.length} session(s)`);
    await Promise.all(rows.map((row) => this.restoreOne(row)));
  }

  private async restoreOne(row: SessionEntity): Promise<void> {
    const release = await this.handshakeSlot();
    let launched = false;
    try {
      if (this.shuttingDown) return;
      await this.mutex.run(row.id, async () => {
        // A replica opens a socket only for a session whose lease it holds, checked at the
        // moment it connects (the wait for a slot may have outlasted the lease).
        if (this.live.has(row.id) || !this.cluster.holds(row.id)) return;
        if (row.engine !== this.config.whatsapp.engine) {
          this.setStatus(row.id, SessionStatus.INACTIVE, 'ENGINE_NOT_CONFIGURED', {
            lastError: `Session runs on the ${row.engine} engine; WA_ENGINE is ${this.config.whatsapp.engine}`,
          });
          return;
        }
        await this.launch(row);
        launched = true;
      });
    } catch (err) {
      this.logger.error({ err, sessionId: row.id }, 'Session restore failed');
    } finally {
      if (!launched) release();
    }
    if (!launched) return;
    // The slot is held until the handshake is over, whatever its outcome; not awaited here.
    void this.waitFor(row.id, (state) => state?.status !== SessionStatus.CONNECTING, HANDSHAKE_SLOT_MS).finally(release);
  }

  /** Waits for one of SESSION_RESTORE_CONCURRENCY handshake slots; resolves with its release. */
  private async handshakeSlot(): Promise<() => void> {
    if (this.handshakesInFlight < this.config.whatsapp.restoreConcurrency) this.handshakesInFlight += 1;
    else await new Promise<void>((resolve) => this.handshakeQueue.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the next waiter, if any.
      const next = this.handshakeQueue.shift();
      if (next) next();
      else this.handshakesInFlight -= 1;
    };
  }

  /**
   * The cluster takes a session away from this node (lease lost, handed over to rebalance, or
   * stopped through another replica): the socket closes without logging out and without a
   * status write, since the next owner reports the session from now on.
   */
  private async drop(sessionId: string, reason: DropReason): Promise<void> {
    // Close at once, whatever lifecycle call holds the session's lock; the engine is gone
    // from `live` first, so nothing it reports afterwards is recorded.
    await this.teardown(sessionId, 'disconnect');
    if (reason !== 'unwanted') this.logger.log({ sessionId, reason }, 'Session closed on this node');
  }

  /**
   * Closes every socket without logging out, so the next boot restores the sessions. Runs in
   * the first shutdown phase: sessions stop producing events while the rest of the app can
   * still record them (background work drains in beforeApplicationShutdown, the database
   * closes in onApplicationShutdown).
   */
  async onModuleDestroy(): Promise<void> {
    this.shuttingDown = true;
    // Sessions still waiting for a handshake slot give up (they see shuttingDown).
    for (const next of this.handshakeQueue.splice(0)) {
      this.handshakesInFlight += 1;
      next();
    }
    await this.cluster.stop();
    await Promise.all(
      [...this.live.keys()].map(async (id) => {
        await this.teardown(id, 'disconnect');
        this.setStatus(id, SessionStatus.DISCONNECTED, 'SERVER_SHUTDOWN', { lastSeenAt: new Date() });
      }),
    );
    await this.store.flushAll();
    // Sockets closed and statuses written: other replicas may take every session over now.
    await this.cluster.releaseAll().catch((err) => this.logger.error({ err }, 'Handing sessions over failed'));
  }

  // ---------------------------------------------------------------- internals

  private exclusive<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    return this.mutex.runWithin(sessionId, BUSY_WAIT_MS, work, () => new SessionBusyError(sessionId));
  }

  /**
   * Makes sure this node holds the session's lease before a call that needs its socket: when
   * another replica runs the session, it is asked to hand it over (it closes its socket first).
   * @throws AppError SESSION_BUSY when the session did not come over in time
   */
  private async requireLease(sessionId: string): Promise<void> {
    if (await this.cluster.takeOver(sessionId)) return;
    const node = (await this.cluster.owners([sessionId])).get(sessionId) ?? null;
    throw new AppError(ErrorCode.SESSION_BUSY, `Session '${sessionId}' runs on replica '${node ?? 'unknown'}'; send this call there or stop the session first`, {
      sessionId,
      node,
    });
  }

  private assertEngineConfigured(entity: SessionEntity): void {
    if (entity.engine !== this.config.whatsapp.engine) {
      throw new AppError(
        ErrorCode.ENGINE_UNSUPPORTED,
        `Session '${entity.id}' runs on the ${entity.engine} engine, but this server runs WA_ENGINE=${this.config.whatsapp.engine}`,
      );
    }
  }

  /** Creates the engine and begins connecting. Call with the session's lock held. */
  private async launch(entity: SessionEntity): Promise<void> {
    const engine = this.engines.create(entity.engine, {
      sessionId: entity.id,
      method: entity.method,
      pairingPhone: entity.pairingPhone,
      // Credential writes commit only while this node still holds the session's lease.
      writeFence: (tx) => this.cluster.assertHeld(tx, entity.id),
    });
    const session: LiveSession = {
      id: entity.id,
      engine,
      unsubscribe: () => undefined,
      status: entity.status,
      qr: null,
      pairingCode: null,
      attempts: 0,
      linked: false,
      replacedCount: 0,
      reconnectTimer: null,
      stableTimer: null,
    };
    // What the engine reports comes from WhatsApp contacts: made storable here, at its entry
    // points, so a NUL or a lone surrogate in a message or a name cannot make its row fail.
    const unsubscribe = engine.onEvent((event) => this.onEngineEvent(session, storableText(event)));
    engine.setInboundSink((message) => this.storeInbound(session, storableText(message)));
    engine.setReceiptSink((updates) => this.storeReceipts(session, updates));
    session.unsubscribe = () => {
      unsubscribe();
      engine.setInboundSink(null);
      engine.setReceiptSink(null);
    };
    this.live.set(entity.id, session);
    await this.connect(session);
  }

  private async connect(session: LiveSession): Promise<void> {
    try {
      await session.engine.connect();
    } catch (err) {
      this.logger.warn({ sessionId: session.id, err: (err as Error).message }, 'Engine failed to connect');
      this.onClose(session, DisconnectReason.UNKNOWN, (err as Error).message);
    }
  }

  private async teardown(sessionId: string, how: 'disconnect' | 'logout'): Promise<void> {
    const session = this.live.get(sessionId);
    if (!session) return;
    this.live.delete(sessionId);
    this.clearTimers(session);
    session.unsubscribe();
    if (session.qr || session.pairingCode) this.store.queueLinkCodeCleared(sessionId, this.cluster.nodeId);
    await (how === 'logout' ? session.engine.logout() : session.engine.disconnect()).catch((err: Error) =>
      this.logger.warn({ sessionId, err: err.message }, `Engine ${how} failed`),
    );
    this.changes.emit(sessionId);
  }

  private clearTimers(session: LiveSession): void {
    if (session.reconnectTimer) clearTimeout(session.reconnectTimer);
    if (session.stableTimer) clearTimeout(session.stableTimer);
    session.reconnectTimer = session.stableTimer = null;
  }

  private onEngineEvent(session: LiveSession, event: EngineEvent): void {
    if (this.live.get(session.id) !== session) return;
    switch (event.type) {
      case 'connecting':
        session.linked = event.linked;
        this.setStatus(session.id, event.linked ? SessionStatus.CONNECTING : SessionStatus.REGISTERING, null);
        break;
      case 'qr':
        session.qr = event.qr;
        this.setStatus(session.id, SessionStatus.REGISTERING, null);
        this.store.queueQr(session.id, event.qr);
        // Any replica answers GET …/qr from what the owner publishes.
        this.store.queueLinkCode(session.id, this.cluster.nodeId, { qr: event.qr });
        break;
      case 'pairing-code':
        session.pairingCode = event.code;
        this.setStatus(session.id, SessionStatus.REGISTERING, null);
        this.store.queueLinkCode(session.id, this.cluster.nodeId, { pairingCode: event.code });
        this.bus.emit({ type: 'session.pairing_code', sessionId: session.id, code: event.code, at: new Date().toISOString() });
        break;
      case 'open':
        this.onOpen(session, event.account);
        break;
      case 'close':
        void this.mutex.run(session.id, async () => this.onClose(session, event.reason, event.message));
        break;
      case 'contacts.upsert':
        this.bus.emit({ type: 'engine.contacts', sessionId: session.id, contacts: event.contacts });
        return;
      case 'call':
        this.bus.emit({ type: 'engine.call', sessionId: session.id, call: event.call });
        return;
      case 'message.status':
        this.bus.emit({ type: 'message.receipt', sessionId: session.id, update: event.update });
        return;
    }
    this.changes.emit(session.id);
  }

  /** The engine's inbound sink: resolves once the message is committed, else throws (not acknowledged). */
  private async storeInbound(session: LiveSession, message: InboundMessage): Promise<void> {
    if (this.live.get(session.id) !== session) throw new Error('The session is no longer running here');
    if (!this.inboundStore) throw new Error('Inbound storage is not ready');
    await this.inboundStore(session.id, message);
  }

  /** The engine's receipt sink: resolves once the statuses are committed, else throws (not acknowledged). */
  private async storeReceipts(session: LiveSession, updates: MessageStatusUpdate[]): Promise<void> {
    if (this.live.get(session.id) !== session) throw new Error('The session is no longer running here');
    if (!this.receiptStore) throw new Error('Receipt storage is not ready');
    await this.receiptStore(session.id, updates);
  }

  private onOpen(session: LiveSession, account: EngineAccount): void {
    if (session.qr || session.pairingCode) this.store.queueLinkCodeCleared(session.id, this.cluster.nodeId);
    session.qr = null;
    session.pairingCode = null;
    session.linked = true;
    const now = new Date();
    this.setStatus(session.id, SessionStatus.READY, null, {
      mobileNumber: account.mobileNumber,
      mobid: account.mobid,
      meJid: account.jid,
      pushName: account.pushName,
      connectedAt: now,
      lastSeenAt: now,
      lastError: null,
    });
    if (session.stableTimer) clearTimeout(session.stableTimer);
    // Attempts reset only after the connection held for a while: a socket that opens and
    // drops at once must not restart the backoff from zero (a reconnect storm).
    session.stableTimer = setTimeout(() => {
      session.stableTimer = null;
      session.attempts = 0;
      session.replacedCount = 0;
      this.store.queueUpdate(session.id, { reconnectAttempts: 0 });
    }, this.config.whatsapp.reconnect.stableAfterMs);
    session.stableTimer.unref();
  }

  private onClose(session: LiveSession, reason: DisconnectReason, message?: string): void {
    if (this.shuttingDown || this.live.get(session.id) !== session) return;
    this.clearTimers(session);
    if (session.qr || session.pairingCode) this.store.queueLinkCodeCleared(session.id, this.cluster.nodeId);
    session.qr = null;
    session.pairingCode = null;
    const decision = decideReconnect(
      { reason, attempts: session.attempts, replacedCount: session.replacedCount },
      this.config.whatsapp.reconnect,
    );
    const lastSeenAt = new Date();
    if (decision.action === 'reconnect') {
      if (decision.countsAsAttempt) session.attempts += 1;
      if (reason === DisconnectReason.CONNECTION_REPLACED) session.replacedCount += 1;
      const restartRequired = reason === DisconnectReason.RESTART_REQUIRED;
      this.setStatus(session.id, restartRequired ? SessionStatus.CONNECTING : SessionStatus.DISCONNECTED, reason, {
        lastSeenAt,
        reconnectAttempts: session.attempts,
        ...(restartRequired ? {} : { lastError: message ? `${reason}: ${message}` : reason }),
      });
      if (!restartRequired) {
        this.logger.warn({ sessionId: session.id, reason, attempt: session.attempts, delayMs: decision.delayMs }, 'Connection closed; reconnecting');
      }
      session.reconnectTimer = setTimeout(() => {
        session.reconnectTimer = null;
        void this.mutex.run(session.id, async () => {
          if (this.live.get(session.id) === session && !this.shuttingDown && this.cluster.holds(session.id)) await this.connect(session);
        });
      }, decision.delayMs);
      return;
    }
    this.live.delete(session.id);
    session.unsubscribe();
    if (decision.action === 'logged-out') {
      this.logger.log({ sessionId: session.id, reason }, 'Session logged out; credentials wiped');
      void this.authState.clear(session.id).catch((err) => this.logger.error({ err, sessionId: session.id }, 'Wiping credentials failed'));
      this.setStatus(session.id, SessionStatus.LOGGED_OUT, reason, { active: false, lastError: reason, lastSeenAt });
    } else {
      this.logger.warn({ sessionId: session.id, reason: decision.reason }, 'Connection closed; not reconnecting');
      this.setStatus(session.id, SessionStatus.INACTIVE, decision.reason, { active: false, lastError: decision.reason, lastSeenAt });
    }
    this.changes.emit(session.id);
  }

  /**
   * Records a status change in memory at once (waiters see it now) and queues its write;
   * SessionStore writes it in order and emits `session.status`. A repeated status with no
   * patch writes nothing.
   */
  private setStatus(sessionId: string, status: SessionStatus, reason: string | null, patch: SessionPatch = {}): void {
    const session = this.live.get(sessionId);
    const previous = session?.status ?? null;
    if (session) session.status = status;
    const changed = previous !== status || !session;
    if (!changed && !Object.keys(patch).length) return;
    this.store.queueStatus(sessionId, { status, reason, patch, at: new Date(), previous: session ? previous : undefined });
    this.changes.emit(sessionId);
  }
}
