import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { SessionRegistry } from '../sessions/session-registry';
import { isWebhookEventType, type WebhookEnvelope, type WebhookEventType } from './webhook-events';

export interface StreamFilter {
  /** Null: every type. */
  events: ReadonlySet<WebhookEventType> | null;
  /** Null: every session. */
  sessionId: string | null;
  /** Null: any workspace; otherwise only sessions labelled with it (workspace-bound tokens). */
  workspace: string | null;
}

export interface StreamEvent {
  id: string;
  event: WebhookEventType;
  sessionId: string;
  /** The native envelope JSON, byte for byte what native webhooks receive. */
  json: string;
}

interface Listener {
  filter: StreamFilter;
  send: (event: StreamEvent) => void;
  close: () => void;
  /** Workspace checks are asynchronous; this chain keeps the listener's events in order. */
  chain: Promise<void>;
}

/**
 * The hub of the live event stream (`GET /api/events`). Every event that goes through
 * `WebhooksService.publish()` (from the bus or a producer) is broadcast here after its
 * transaction commits. In-process only: a client sees the events produced by the process it
 * is connected to.
 */
@Injectable()
export class EventStreamService implements BeforeApplicationShutdown {
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly registry: SessionRegistry,
    private readonly config: AppConfig,
  ) {}

  get heartbeatMs(): number {
    return this.config.webhooks.streamHeartbeatMs;
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
      const session = await this.registry.authorize(principal, query.sessionId);
      sessionId = session.id;
    }
    return { events, sessionId, workspace: principal.workspace };
  }

  /** Adds a listener; returns its removal. `close` is called when the server shuts down. */
  subscribe(filter: StreamFilter, send: (event: StreamEvent) => void, close: () => void): () => void {
    const listener: Listener = { filter, send, close, chain: Promise.resolve() };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  broadcast(envelope: WebhookEnvelope, json: string): void {
    if (!this.listeners.size) return;
    const event: StreamEvent = { id: envelope.id, event: envelope.event, sessionId: envelope.sessionId, json };
    for (const l of this.listeners) {
      if (l.filter.events && !l.filter.events.has(event.event)) continue;
      if (l.filter.sessionId && l.filter.sessionId !== event.sessionId) continue;
      if (!l.filter.workspace) {
        l.send(event);
        continue;
      }
      const workspace = l.filter.workspace;
      l.chain = l.chain
        .then(async () => {
          const session = await this.registry.findEntity(event.sessionId);
          if (session?.settings.workspace === workspace && this.listeners.has(l)) l.send(event);
        })
        .catch(() => undefined);
    }
  }

  /** Ends every open stream, so the HTTP server can close. */
  beforeApplicationShutdown(): void {
    for (const l of [...this.listeners]) {
      this.listeners.delete(l);
      l.close();
    }
  }
}
