import { EventEmitter } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';
import type { DomainEvent, DomainEventOf, DomainEventType } from './domain-events';

/**
 * In-process bus for domain events. Handlers run synchronously in subscription order; a
 * throwing handler is logged and never breaks the emitter or the other handlers.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger(EventBus.name);
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  emit(event: DomainEvent): void {
    for (const listener of [...this.emitter.listeners(event.type), ...this.emitter.listeners('*')]) {
      try {
        const result = (listener as (e: DomainEvent) => unknown)(event);
        if (result instanceof Promise) result.catch((err) => this.logger.error({ err, type: event.type }, 'Event handler failed'));
      } catch (err) {
        this.logger.error({ err, type: event.type }, 'Event handler failed');
      }
    }
  }

  on<T extends DomainEventType>(type: T, handler: (event: DomainEventOf<T>) => unknown): () => void {
    this.emitter.on(type, handler as (e: DomainEvent) => unknown);
    return () => this.emitter.off(type, handler as (e: DomainEvent) => unknown);
  }

  onAny(handler: (event: DomainEvent) => unknown): () => void {
    this.emitter.on('*', handler);
    return () => this.emitter.off('*', handler);
  }
}
