import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Injectable, Logger, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { LeaseRepository, type HeldLease, type LeaseRow, type NodeRow } from './lease.repository';

/** Why a node stops holding a session. */
export type DropReason = 'lost' | 'rebalance' | 'unwanted' | 'shutdown' | 'handover';

/**
 * What the cluster asks of the module that runs sessions (the SessionRegistry): which sessions
 * should run somewhere, start the ones this node now holds, close the ones it gives up.
 */
export interface LeaseHolder {
  /** Ids of every session that should be connected (on some node). */
  wanted(): Promise<string[]>;
  /** This node now holds these sessions: connect them (as many at once as it likes; not awaited). */
  adopt(sessionIds: string[]): void;
  /**
   * This node no longer holds, or is about to give up, the session: close its socket now and
   * stop sending for it. Resolves once the socket is closed (a release follows only then).
   */
  drop(sessionId: string, reason: DropReason): Promise<void>;
  /** Whether the session may be handed to another node to rebalance now (e.g. not while it shows a QR). Default: yes. */
  movable?(sessionId: string): boolean;
}

/** A session taken over from another node whose lease had expired (not released). */
export interface TakeoverEvent {
  sessionId: string;
  from: string;
  to: string;
}

/** Thrown by an owner-only write whose lease is no longer this node's. */
export class LeaseLostError extends Error {
  constructor(readonly sessionId: string) {
    super(`This node no longer holds the lease of session '${sessionId}'`);
    this.name = 'LeaseLostError';
  }
}

interface Held {
  token: string;
  /** Local clock: the lease is trusted until then (its database expiry minus a safety margin). */
  validUntil: number;
}

/** The part of a lease's TTL kept as a margin against clock drift and slow queries. */
const SAFETY_FRACTION = 0.2;

/**
 * This replica's membership of the cluster and the session leases it holds (docs/scaling.md).
 * Every TTL/3 it heartbeats, renews its leases (dropping those it lost), claims orphaned
 * sessions up to its fair share (ceil(sessions / live nodes)) and, above that share, hands a
 * few back. A watchdog closes sessions whose lease ran out locally even while the database
 * does not answer. Single-node: the first tick claims every session.
 */
@Injectable()
export class ClusterService {
  private readonly logger = new Logger(ClusterService.name);
  readonly nodeId: string;
  readonly host: string;
  /** The base URL other replicas forward this one's sessions' calls to (NODE_URL). */
  readonly url: string;
  readonly ttlMs: number;
  private readonly incarnation = randomUUID();
  private readonly held = new Map<string, Held>();
  private readonly events = new EventEmitter().setMaxListeners(0);
  private holder: LeaseHolder | null = null;
  private timer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  /** Another process took over this node id: this one holds nothing any more. */
  private displaced = false;

  constructor(
    private readonly repo: LeaseRepository,
    config: AppConfig,
    @Optional() metrics?: MetricsService,
  ) {
    ({ nodeId: this.nodeId, host: this.host, url: this.url, leaseTtlMs: this.ttlMs } = config.cluster);
    if (metrics) this.onTakeover(() => metrics.sessionLeaseTakenOver('expired'));
  }

  // ---------------------------------------------------------------- hooks

  /**
   * Called whenever this node takes over a session whose lease another node let expire (it
   * died, hung or lost the database): the hook point for a takeover counter. A handover (a
   * lease released on shutdown or to rebalance) is not a takeover. Returns the unsubscribe function.
   */
  onTakeover(listener: (event: TakeoverEvent) => void): () => void {
    this.events.on('takeover', listener);
    return () => this.events.off('takeover', listener);
  }

  /** Called when this node loses a lease it held (renewal refused, expired locally, or displaced). */
  onLost(listener: (sessionId: string) => void): () => void {
    this.events.on('lost', listener);
    return () => this.events.off('lost', listener);
  }

  // ---------------------------------------------------------------- queries

  /** Whether this node holds the session's lease now (in memory, no query): the check before every send. */
  holds(sessionId: string): boolean {
    const held = this.held.get(sessionId);
    return held !== undefined && held.validUntil > Date.now();
  }

  heldCount(): number {
    return this.held.size;
  }

  heldIds(): string[] {
    return [...this.held.keys()];
  }

  /**
   * The fencing check for an owner-only database write, run inside the write's transaction:
   * throws LeaseLostError unless this node holds the session's lease under the token it has.
   */
  async assertHeld(tx: EntityManager, sessionId: string): Promise<void> {
    const held = this.held.get(sessionId);
    if (!held || held.validUntil <= Date.now() || !(await this.repo.isHeldIn(tx, sessionId, this.nodeId, held.token))) {
      throw new LeaseLostError(sessionId);
    }
  }

  /**
   * The owner of each session that has a lease row: its node while the lease is unexpired, null
   * once it expired or was released (nobody runs it now). Absent: never leased yet (just created).
   */
  async owners(sessionIds: string[] | null): Promise<Map<string, string | null>> {
    const rows = await this.repo.leases(sessionIds);
    return new Map(rows.map((r) => [r.sessionId, r.owner ?? null]));
  }

  /**
   * Where a call for the session must go when another replica runs it: that replica's id and
   * advertised URL; null when this replica holds the lease or nobody does.
   */
  async remoteOwner(sessionId: string): Promise<{ node: string; url: string | null } | null> {
    if (this.holds(sessionId)) return null;
    const owner = await this.repo.ownerWithUrl(sessionId);
    return owner && owner.node !== this.nodeId ? owner : null;
  }

  nodes(): Promise<NodeRow[]> {
    return this.repo.nodes(this.ttlMs);
  }

  leases(): Promise<LeaseRow[]> {
    return this.repo.leases(null);
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Joins the cluster and runs the first round at once; resolves with the sessions claimed in
   * it (which the caller starts itself), then keeps a round every TTL/3.
   */
  async start(holder: LeaseHolder): Promise<string[]> {
    this.holder = holder;
    await this.repo.registerNode(this.nodeId, this.host, this.incarnation, this.url);
    this.logger.log({ nodeId: this.nodeId, leaseTtlMs: this.ttlMs }, 'Joined the cluster');
    const first = await this.runRound(false);
    this.timer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
    this.watchdog = setInterval(() => void this.expireLocally(), Math.max(50, Math.floor(this.ttlMs / 10)));
    this.watchdog.unref();
    return first;
  }

  /**
   * Acquires one session's lease for this node outside the rounds (a session created or
   * started through this replica's API). True when this node holds it afterwards.
   */
  async acquire(sessionId: string): Promise<boolean> {
    if (this.holds(sessionId)) return true;
    if (this.stopped || this.displaced) return false;
    const startedAt = Date.now();
    const [claimed] = await this.repo.claim(this.nodeId, [sessionId], 1, this.ttlMs);
    if (!claimed) return false;
    this.take(claimed.sessionId, claimed.token, claimed.previousOwner, startedAt);
    return true;
  }

  /**
   * Gets the session's lease for this node, asking its current owner to hand it over when
   * another live node holds it (the owner does so at its next renewal, within TTL/3). False
   * when it did not arrive within `timeoutMs`.
   */
  async takeOver(sessionId: string, timeoutMs = this.ttlMs): Promise<boolean> {
    if (await this.acquire(sessionId)) return true;
    if (this.stopped || this.displaced) return false;
    await this.repo.requestHandover(sessionId, this.nodeId);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (await this.acquire(sessionId)) return true;
    }
    return false;
  }

  /** Gives up one session this node holds (its socket must be closed already). */
  async release(sessionId: string): Promise<void> {
    const held = this.held.get(sessionId);
    if (!held) return;
    this.held.delete(sessionId);
    await this.repo.release(this.nodeId, [{ sessionId, token: held.token }]);
  }

  /** Stops the rounds (an in-flight one finishes first); leases stay held until releaseAll. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.watchdog);
    await this.ticking;
  }

  /** Shutdown: every lease at once (sockets already closed), so other nodes take them immediately. */
  async releaseAll(): Promise<void> {
    const held = this.heldLeases();
    this.held.clear();
    if (held.length) {
      const n = await this.repo.release(this.nodeId, held);
      this.logger.log({ nodeId: this.nodeId, released: n }, 'Handed sessions over');
    }
    await this.repo.stopNode(this.nodeId, this.incarnation);
  }

  // ---------------------------------------------------------------- rounds

  private tick(): Promise<void> {
    if (this.ticking || this.stopped) return this.ticking ?? Promise.resolve();
    this.ticking = this.runRound(true)
      .then(() => undefined)
      .catch((err) => this.logger.error({ err, nodeId: this.nodeId }, 'Cluster round failed'))
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  /** One round; returns the sessions claimed in it. `adopt`: hand them to the holder (the first round's caller starts them itself). */
  private async runRound(adopt: boolean): Promise<string[]> {
    const holder = this.holder!;
    if (this.displaced) return [];
    const startedAt = Date.now();
    if (!(await this.repo.heartbeat(this.nodeId, this.incarnation))) {
      this.displaced = true;
      this.logger.error({ nodeId: this.nodeId }, 'Another process now runs with this NODE_ID: this one gives up every session (give each replica its own NODE_ID)');
      await this.dropAll('lost');
      return [];
    }
    // Renew, and close what was lost.
    const mine = this.heldLeases();
    if (mine.length) {
      const renewed = await this.repo.renew(this.nodeId, mine, this.ttlMs);
      for (const lease of mine) {
        const held = this.held.get(lease.sessionId);
        if (!held || held.token !== lease.token) continue;
        if (renewed.has(lease.sessionId)) held.validUntil = this.validUntil(startedAt);
        else await this.lose(lease.sessionId);
      }
      // Another replica needs a session's socket for an API call: close, then release to it.
      for (const [sessionId, to] of renewed) {
        if (to && to !== this.nodeId && this.held.has(sessionId)) {
          this.logger.log({ sessionId, to }, 'Handing a session over on request');
          await this.handBack(sessionId, 'handover');
        }
      }
    }
    if (this.stopped) return [];
    const wanted = await holder.wanted();
    const wantedSet = new Set(wanted);
    // Sessions stopped (through any replica) are closed and released.
    for (const sessionId of [...this.held.keys()]) {
      if (!wantedSet.has(sessionId)) await this.handBack(sessionId, 'unwanted');
    }
    const live = Math.max(1, await this.repo.liveNodeCount(this.ttlMs));
    const share = Math.ceil(wanted.length / live);
    if (this.held.size < share) {
      const candidates = wanted.filter((id) => !this.held.has(id));
      const claimedAt = Date.now();
      const claimed = await this.repo.claim(this.nodeId, candidates, share - this.held.size, this.ttlMs);
      for (const c of claimed) this.take(c.sessionId, c.token, c.previousOwner, claimedAt);
      const ids = claimed.map((c) => c.sessionId);
      if (ids.length) this.logger.log({ nodeId: this.nodeId, claimed: ids.length, share, live }, 'Claimed sessions');
      if (adopt && ids.length) holder.adopt(ids);
      return ids;
    }
    if (this.held.size > share) {
      // A node joined (or sessions were stopped): hand a few back per round, so the others take
      // them over gradually; each socket closes before its lease is released.
      const step = Math.min(this.held.size - share, Math.max(1, Math.ceil(wanted.length / 20)));
      const victims = [...this.held.keys()].filter((id) => holder.movable?.(id) ?? true).slice(-step);
      for (const sessionId of victims) await this.handBack(sessionId, 'rebalance');
      if (victims.length) this.logger.log({ nodeId: this.nodeId, released: victims.length, share, live }, 'Handed sessions over to rebalance');
    }
    return [];
  }

  private take(sessionId: string, token: string, previousOwner: string | null, startedAt: number): void {
    this.held.set(sessionId, { token, validUntil: this.validUntil(startedAt) });
    if (previousOwner && previousOwner !== this.nodeId) {
      this.logger.log({ sessionId, from: previousOwner, to: this.nodeId }, 'Took a session over');
      this.events.emit('takeover', { sessionId, from: previousOwner, to: this.nodeId } satisfies TakeoverEvent);
    }
  }

  /** Close first, then release: the next owner never opens a socket while this one's is open. */
  private async handBack(sessionId: string, reason: DropReason): Promise<void> {
    await this.holder!.drop(sessionId, reason);
    await this.release(sessionId);
  }

  private async lose(sessionId: string): Promise<void> {
    if (!this.held.delete(sessionId)) return;
    this.logger.warn({ sessionId, nodeId: this.nodeId }, 'Lost the lease of a session; closing it');
    this.events.emit('lost', sessionId);
    await this.holder?.drop(sessionId, 'lost');
  }

  private async dropAll(reason: DropReason): Promise<void> {
    for (const sessionId of [...this.held.keys()]) {
      this.held.delete(sessionId);
      if (reason === 'lost') this.events.emit('lost', sessionId);
      await this.holder?.drop(sessionId, reason);
    }
  }

  /** Watchdog: leases whose local validity ran out (renewals failing or slow) are closed without waiting for the database. */
  private async expireLocally(): Promise<void> {
    const now = Date.now();
    for (const [sessionId, held] of this.held) {
      if (held.validUntil <= now) await this.lose(sessionId).catch((err) => this.logger.error({ err, sessionId }, 'Closing a lost session failed'));
    }
  }

  private validUntil(startedAt: number): number {
    return startedAt + this.ttlMs * (1 - SAFETY_FRACTION);
  }

  private heldLeases(): HeldLease[] {
    return [...this.held].map(([sessionId, h]) => ({ sessionId, token: h.token }));
  }
}
