import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventBus } from '../events/event-bus';
import { SessionRegistry } from '../sessions/session-registry';
import type { MessageStatusUpdate } from '../whatsapp/engine/engine-events';
import { Dispatcher } from './dispatcher';
import { MessageStatus } from './message-status';
import { MessagesRepository } from './messages.repository';

/** Most receipts applied in one transaction. */
const RECEIPT_BATCH = 200;

/** One waiting receipt; `settle` is set when a caller awaits its commit. */
interface Waiting {
  sessionId: string;
  update: MessageStatusUpdate;
  settle?: (err?: Error) => void;
}

/**
 * Records receipts from the engines on the message rows. Receipts may arrive out of order or
 * twice; the repository only ever moves a status forward, so a late DELIVERED after READY is
 * a no-op and emits nothing. Receipts are applied in arrival order (so each session's are too),
 * those of all sessions that arrived while the previous transaction committed together in the
 * next one with their `message.status` events: with many sessions sending, a transaction per
 * receipt (with its event write) cost more than the receipts themselves.
 *
 * Two ways in: the engines' receipt sink (`record`, awaited: the engine acknowledges the
 * receipt to WhatsApp only once it resolved) and the bus event `message.receipt` (server
 * acks and send failures, recorded in the background).
 */
@Injectable()
export class ReceiptRecorder implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReceiptRecorder.name);
  private unsubscribe?: () => void;
  /** Receipts waiting, in arrival order. */
  private readonly waiting: Waiting[] = [];
  /** The running drain (one at a time), or null. */
  private draining: Promise<void> | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly repo: MessagesRepository,
    private readonly dispatcher: Dispatcher,
    private readonly registry: SessionRegistry,
  ) {}

  onModuleInit(): void {
    // Registered before sessions are restored at bootstrap, so no receipt finds it missing.
    this.registry.setReceiptStore((sessionId, updates) => this.record(sessionId, updates));
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.on('message.receipt', (e) => this.enqueueOne({ sessionId: e.sessionId, update: e.update }));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.registry.setReceiptStore(null);
    this.unsubscribe?.();
    while (this.draining) await this.draining;
  }

  /**
   * Records the statuses and resolves once the batch holding them has committed (receipts
   * arriving while a batch commits join the next one).
   * @throws Error when one of them could not be recorded
   */
  async record(sessionId: string, updates: MessageStatusUpdate[]): Promise<void> {
    if (!updates.length) return;
    const results = updates.map(
      (update) =>
        new Promise<void>((resolve, reject) => {
          this.enqueueOne({ sessionId, update, settle: (err) => (err ? reject(err) : resolve()) });
        }),
    );
    const settled = await Promise.allSettled(results);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason as Error;
  }

  private enqueueOne(item: Waiting): void {
    this.waiting.push(item);
    this.startDrain();
  }

  private startDrain(): void {
    if (this.draining) return;
    this.draining = this.drain()
      .catch((err) => this.logger.error({ err }, 'Recording receipts failed'))
      .finally(() => {
        this.draining = null;
        // One that arrived between the drain's last look and now.
        if (this.waiting.length) this.startDrain();
      });
  }

  private async drain(): Promise<void> {
    // Started from enqueueOne: the first batch waits for the end of the turn, so receipts that
    // arrive together go together.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (;;) {
      const batch = this.waiting.splice(0, RECEIPT_BATCH);
      if (!batch.length) return;
      try {
        await this.applyAll(batch);
        for (const w of batch) w.settle?.();
      } catch (err) {
        // One bad receipt must not cost the others theirs: apply them one by one.
        this.logger.warn({ err, receipts: batch.length }, 'Recording a batch of receipts failed; recording them one by one');
        for (const w of batch) {
          try {
            await this.applyAll([w]);
            w.settle?.();
          } catch (e) {
            this.logger.error({ err: e, sessionId: w.sessionId }, 'Recording a receipt failed');
            w.settle?.(e as Error);
          }
        }
      }
    }
  }

  private applyAll(batch: Waiting[]): Promise<unknown> {
    return this.dispatcher.changeStatus(async (m) => {
      const changed = [];
      for (const { sessionId, update } of batch) {
        const row =
          update.status === 'FAILED'
            ? await this.repo.failSent(sessionId, update.waMessageId, update.errorCode ?? 'WHATSAPP_ERROR', m)
            : await this.repo.applyReceipt(sessionId, update.waMessageId, update.status as MessageStatus, update.at, m);
        if (row) changed.push(row);
      }
      return changed;
    });
  }
}
