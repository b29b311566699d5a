import type { EngineEvent } from './engine-events';

/** Listener bookkeeping shared by the engines. */
export class EngineEmitter {
  private readonly listeners = new Set<(event: EngineEvent) => void>();

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
