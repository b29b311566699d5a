import { Injectable } from '@nestjs/common';

/**
 * In-process wake-up for readers of the event outbox: fired after a transaction that wrote
 * outbox rows commits, so the live stream reads them at once instead of at its next poll.
 * Carries no data; the outbox table is the only source of events.
 */
@Injectable()
export class OutboxSignal {
  private readonly listeners = new Set<() => void>();

  committed(): void {
    for (const l of this.listeners) l();
  }

  onCommitted(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
