import type { EngineEvent, InboundMessage } from './engine-events';
import type { InboundSink } from './whatsapp-engine.port';

/** Listener and inbound-sink bookkeeping shared by the engines. */
export class EngineEmitter {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private inboundSink: InboundSink | null = null;

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setInboundSink(sink: InboundSink | null): void {
    this.inboundSink = sink;
  }

  protected emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /**
   * Hands an inbound message to the sink and resolves once it is stored; acknowledge the
   * message only after this.
   * @throws Error when no sink is set or the sink failed (the message is not stored)
   */
  protected async receive(message: InboundMessage): Promise<void> {
    const sink = this.inboundSink;
    if (!sink) throw new Error('Inbound messages have nowhere to be stored');
    await sink(message);
  }
}
