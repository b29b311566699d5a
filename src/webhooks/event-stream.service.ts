import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { Wakeup } from '../common/utils/wakeup';
import { AppConfig } from '../config/app-config';
import { OutboxSignal } from '../events/outbox-signal';
import { SessionAccess } from '../sessions/session-access';
import { SessionResolver } from '../sessions/session-resolver';
import { EventOutboxRepository, OUTBOX_START, positionBefore, type OutboxPosition, type OutboxRow } from './event-outbox.repository';
import { isWebhookEventType, type WebhookEventType } from './webhook-events';

/** Rows read per query. */
const PAGE = 500;
/** How soon to look again when rows exist whose transaction (or an older one) is still open. */
const BLOCKED_RETRY_MS = 20;
/** With no stream open, commits wake the reader at most this often (it only follows the tail). */
const IDLE_MIN_PAUSE_MS = 50;
/** How often old outbox rows are pruned. */
const PRUNE_EVERY_MS = 60 * 60_000;

export interface StreamFilter {
  /** Null: every type. */
  events: ReadonlySet<WebhookEventType> | null;
  /** Null: every session. */
  sessionId: string | null;
  /** Null: any workspace; otherwise only sessions labelled with it (workspace-bound tokens). */
  workspace: string | null;
}

export interface StreamEvent {
  /** The event id (`evt_…`), the same as in webhooks. */
  id: string;
  /** The outbox position to resume after: the SSE `id:` line, sent back as `Last-Event-ID`. */
  seq: string;
  event: WebhookEventType;
  sessionId: string;
  /** The native envelope JSON, byte for byte what native webhooks receive. */
  json: string;
}

/** Where a new stream starts. */
export type StreamStart =
  /** Events from now on. */
  | { kind: 'live' }
  /** Every retained event after this one (a `Last-Event-ID`). */
  | { kind: 'after'; position: OutboxPosition }
  /** The `Last-Event-ID` is not retained (pruned, or from another database): every retained event. */
  | { kind: 'reset'; lastEventId: string };

interface Listener {
  filter: StreamFilter;
  send: (event: StreamEvent) => void;
  close: () => void;
  /** The last position this listener has been given (or skipped by its filter). */
  cursor: OutboxPosition;
  /** Catching up from the outbox: live events are not sent until it has reached the hub. */
  live: boolean;
  /** Workspace checks are asynchronous; this chain keeps the listener's events in order. */
  chain: Promise<void>;
}

/**
 * The live event stream (`GET /api/events`), read from the event outbox, so it carries every
 * event committed by any process on the database, in outbox order.
 *
 * One reader per process tails the outbox (woken at once by local commits, otherwise every
 * `EVENTS_POLL_INTERVAL_MS`) and hands each row to the streams that are live. A stream that
 * resumes (`Last-Event-ID`) first reads what it missed from the outbox, up to where the
 * reader is, and turns live in the same tick it has caught up, so nothing is sent twice or
 * skipped at the seam. With no stream open, the reader only follows the outbox's tail.
 */
@Injectable()
export class EventStreamService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventStreamService.name);
  private readonly listeners = new Set<Listener>();
  private readonly wakeup = new Wakeup();
  /** The last row handed to live listeners (or the tail, with none). */
  private position: OutboxPosition = OUTBOX_START;
  private started: Promise<void> | null = null;
  private stopped = false;
  private loopDone: Promise<void> = Promise.resolve();
  private unsubscribeSignal?: () => void;
  private lastPrune = 0;

  constructor(
    private readonly access: SessionAccess,
    private readonly resolver: SessionResolver,
    private readonly config: AppConfig,
    private readonly outbox: EventOutboxRepository,
    private readonly signal: OutboxSignal,
  ) {}

  get heartbeatMs(): number {
    return this.config.webhooks.streamHeartbeatMs;
  }

  onApplicationBootstrap(): void {
    this.unsubscribeSignal = this.signal.onCommitted(() => this.wakeup.wake());
    this.started = this.outbox.tail().then(
      (tail) => {
        this.position = tail;
      },
      (err) => this.logger.error({ err }, 'Reading the event outbox failed'),
    );
    this.loopDone = this.started.then(() => this.loop());
  }

  /** Ends every open stream and stops reading, so the HTTP server and the database can close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribeSignal?.();
    this.wakeup.wake();
    for (const l of [...this.listeners]) {
      this.listeners.delete(l);
      l.close();
    }
    await this.loopDone;
  }

  /**
   * Resolves the query of a stream request. A session-bound token is limited to its session,
   * a workspace-bound one to its workspace's sessions.
   * @throws AppError VALIDATION_FAILED (unknown event type), SessionNotFoundError, ForbiddenError
   */
  async resolveFilter(principal: Principal, query: { events?: string; sessionId?: string }): Promise<StreamFilter> {
    let events: Set<WebhookEventType> | null = null;
    if (query.events !== undefined) {
      const names = query.events.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => n !== '*' && !isWebhookEventType(n));
      if (unknown.length) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, `Unknown event type(s): ${unknown.join(', ')}`, {
          fields: [{ field: 'events', messages: [`unknown event type(s): ${unknown.join(', ')}`] }],
        });
      }
      events = names.includes('*') || !names.length ? null : new Set(names as WebhookEventType[]);
    }
    let sessionId = principal.sessionId;
    if (query.sessionId !== undefined) {
      const session = await this.access.authorize(principal, query.sessionId);
      sessionId = session.id;
    }
    return { events, sessionId, workspace: principal.workspace };
  }

  /**
   * Where a stream with this `Last-Event-ID` (the `id:` of an event this server sent) starts.
   * Ids of the earlier `evt_…` form, and numbers no longer in the outbox, start a replay of
   * every retained event (`reset`).
   * @throws AppError VALIDATION_FAILED (neither)
   */
  async resolveStart(lastEventId: string | undefined): Promise<StreamStart> {
    if (lastEventId === undefined || lastEventId === '') return { kind: 'live' };
    const id = lastEventId.trim();
    if (/^\d{1,18}$/.test(id)) {
      const position = await this.outbox.positionOf(id);
      return position ? { kind: 'after', position } : { kind: 'reset', lastEventId: id };
    }
    if (/^evt_[0-9a-f-]{36}$/i.test(id)) return { kind: 'reset', lastEventId: id };
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'Last-Event-ID must be the id of an event this stream sent', {
      fields: [{ field: 'lastEventId', messages: ['must be the id: of an event this stream sent (a number)'] }],
    });
  }

  /**
   * Adds a listener starting at `start` (default: live); returns its removal. `close` is
   * called when the server shuts down.
   */
  subscribe(filter: StreamFilter, send: (event: StreamEvent) => void, close: () => void, start: StreamStart = { kind: 'live' }): () => void {
    const listener: Listener = { filter, send, close, cursor: this.position, live: start.kind === 'live', chain: Promise.resolve() };
    this.listeners.add(listener);
    if (!listener.live) {
      listener.cursor = start.kind === 'after' ? start.position : OUTBOX_START;
      void this.catchUp(listener).catch((err) => {
        this.logger.error({ err }, 'Replaying the event outbox failed');
        if (this.listeners.delete(listener)) listener.close();
      });
    }
    this.wakeup.wake();
    return () => this.listeners.delete(listener);
  }

  /** Sends a resuming listener what it missed, then turns it live. */
  private async catchUp(l: Listener): Promise<void> {
    await this.started;
    while (this.listeners.has(l)) {
      const upTo = this.position;
      if (!positionBefore(l.cursor, upTo)) {
        // Caught up with the reader: from here on it sends this listener everything after `upTo`.
        l.live = true;
        return;
      }
      const { rows } = await this.outbox.readAfter(l.cursor, PAGE, { upTo, sessionId: l.filter.sessionId });
      if (!rows.length) {
        l.cursor = upTo;
        continue;
      }
      for (const row of rows) this.offer(l, row);
      await l.chain;
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let sleepMs = this.config.events.pollIntervalMs;
      try {
        sleepMs = await this.poll();
        await this.maybePrune();
      } catch (err) {
        if (!this.stopped) this.logger.error({ err }, 'Reading the event outbox failed');
      }
      if (!this.listeners.size && !this.stopped) await new Promise((r) => setTimeout(r, Math.min(IDLE_MIN_PAUSE_MS, sleepMs)));
      if (sleepMs > 0 && !this.stopped) await this.wakeup.sleep(sleepMs);
    }
  }

  /** One read; returns how long to sleep before the next. */
  private async poll(): Promise<number> {
    if (!this.listeners.size) {
      const tail = await this.outbox.tail();
      // A stream that subscribed meanwhile starts from the old position: jumping now would skip
      // the rows in between for it.
      if (!this.listeners.size && positionBefore(this.position, tail)) this.position = tail;
      return this.config.events.pollIntervalMs;
    }
    const { rows, blocked } = await this.outbox.readAfter(this.position, PAGE);
    for (const row of rows) {
      const position = { xid: row.xid, seq: row.seq };
      this.position = position;
      for (const l of this.listeners) if (l.live && positionBefore(l.cursor, position)) this.offer(l, row);
    }
    if (rows.length === PAGE) return 0;
    return blocked ? BLOCKED_RETRY_MS : this.config.events.pollIntervalMs;
  }

  /** Moves the listener past `row`, sending it when the filter lets it through. */
  private offer(l: Listener, row: OutboxRow): void {
    l.cursor = { xid: row.xid, seq: row.seq };
    if (!isWebhookEventType(row.type)) return;
    if (l.filter.events && !l.filter.events.has(row.type)) return;
    if (l.filter.sessionId && l.filter.sessionId !== row.sessionId) return;
    const event: StreamEvent = { id: row.eventId, seq: row.seq, event: row.type, sessionId: row.sessionId, json: row.envelope };
    if (!l.filter.workspace) {
      l.send(event);
      return;
    }
    const workspace = l.filter.workspace;
    l.chain = l.chain
      .then(async () => {
        const session = await this.resolver.findEntity(event.sessionId);
        if (session?.settings.workspace === workspace && this.listeners.has(l)) l.send(event);
      })
      .catch(() => undefined);
  }

  private async maybePrune(): Promise<void> {
    const hours = this.config.events.retentionHours;
    if (!hours || Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    let removed = 0;
    let n: number;
    do {
      n = await this.outbox.prune(hours);
      removed += n;
    } while (n > 0 && !this.stopped);
    if (removed) this.logger.log({ removed, hours }, 'Pruned old outbox events');
  }
}
