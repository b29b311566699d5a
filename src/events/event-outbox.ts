import type { EntityManager } from 'typeorm';

/**
 * Where producers record events that must not be lost (webhook deliveries): called inside the
 * producer's own transaction, so the state change and its deliveries commit together. The
 * webhooks module binds it; without webhooks it is absent and producers skip it.
 */
export interface EventOutbox {
  publish(event: { type: string; sessionId: string; data: Record<string, unknown>; at?: string }, manager?: EntityManager): Promise<void>;
}

export const EVENT_OUTBOX = Symbol('EVENT_OUTBOX');
