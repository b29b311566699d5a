import type { EntityManager } from 'typeorm';

/** An event as producers hand it to the outbox. `data` never holds secrets. */
export interface OutboxEventInput {
  type: string;
  sessionId: string;
  data: Record<string, unknown>;
  /** When it happened; defaults to now. */
  at?: Date | string;
}

/**
 * Where producers record the events they report (`session.status`, `message.status`, …):
 * called inside the producer's own transaction, so the state change, its outbox row and its
 * webhook deliveries commit together or not at all. Without `manager` the event is written
 * in a transaction of its own. The webhooks module binds it; without webhooks it is absent
 * and producers skip it.
 */
export interface EventOutbox {
  publish(event: OutboxEventInput, manager?: EntityManager): Promise<void>;
  /** Several events (of any sessions), in order, with one outbox write. */
  publishAll(events: OutboxEventInput[], manager?: EntityManager): Promise<void>;
}

export const EVENT_OUTBOX = Symbol('EVENT_OUTBOX');
