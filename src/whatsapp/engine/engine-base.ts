import type { EngineEvent, InboundMessage, MessageStatusUpdate } from './engine-events';
import type { InboundSink, ReceiptSink } from './whatsapp-engine.port';

/** Listener, inbound-sink and receipt-sink bookkeeping shared by the engines. */
export class EngineEmitter {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private inboundSink: InboundSink | null = null;
  private receiptSink: ReceiptSink | null = null;

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setInboundSink(sink: InboundSink | null): void {
    this.inboundSink = sink;
  }

  setReceiptSink(sink: ReceiptSink | null): void {
    this.receiptSink = sink;
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

  /**
   * Hands status receipts of sent messages to the receipt sink and resolves once they are
   * stored; acknowledge the receipt only after this.
   * @throws Error when no sink is set or the sink failed (the statuses are not stored)
   */
  protected async recordReceipts(updates: MessageStatusUpdate[]): Promise<void> {
    if (!updates.length) return;
    const sink = this.receiptSink;
    if (!sink) throw new Error('Receipts have nowhere to be stored');
    await sink(updates);
  }
}
