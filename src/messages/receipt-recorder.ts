import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventBus } from '../events/event-bus';
import { SessionRegistry } from '../sessions/session-registry';
import type { MessageStatusUpdate } from '../whatsapp/engine/engine-events';
import { Dispatcher } from './dispatcher';
import { MessageStatus } from './message-status';
import { MessagesRepository } from './messages.repository';
import { KeyedMutex } from '../common/utils/keyed-mutex';

/** Most receipts of one session applied in one transaction. */
const RECEIPT_BATCH = 200;

/** One waiting receipt; `settle` is set when a caller awaits its commit. */
interface Waiting {
  update: MessageStatusUpdate;
  settle?: (err?: Error) => void;
}

/**
 * Records receipts from the engines on the message rows. Receipts may arrive out of order or
 * twice; the repository only ever moves a status forward, so a late DELIVERED after READY is
 * a no-op and emits nothing. Each session's receipts are applied in arrival order, those
 * that arrived together in one transaction with their `message.status` events.
 *
 * Two ways in: the engines' receipt sink (`record`, awaited: the engine acknowledges the
 * receipt to WhatsApp only once it resolved) and the bus event `message.receipt` (server
 * acks and send failures, recorded in the background).
 */
@Injectable()
export class ReceiptRecorder implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReceiptRecorder.name);
  private unsubscribe?: () => void;
  /** Receipts of one session are applied in arrival order. */
  private readonly perSession = new KeyedMutex();
  /** Receipts waiting, per session; present while that session's drain runs. */
  private readonly waiting = new Map<string, Waiting[]>();

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
    this.unsubscribe = this.bus.on('message.receipt', (e) => this.enqueueOne(e.sessionId, { update: e.update }));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.registry.setReceiptStore(null);
    this.unsubscribe?.();
    await this.perSession.idle();
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
          this.enqueueOne(sessionId, { update, settle: (err) => (err ? reject(err) : resolve()) });
        }),
    );
    const settled = await Promise.allSettled(results);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason as Error;
  }

  private enqueueOne(sessionId: string, item: Waiting): void {
    const waiting = this.waiting.get(sessionId);
    if (waiting) {
      waiting.push(item);
      return;
    }
    this.waiting.set(sessionId, [item]);
    this.perSession.run(sessionId, () => this.drain(sessionId)).catch((err) => this.logger.error({ err, sessionId }, 'Recording receipts failed'));
  }

  private async drain(sessionId: string): Promise<void> {
    for (;;) {
      const batch = this.waiting.get(sessionId)!.splice(0, RECEIPT_BATCH);
      if (!batch.length) {
        this.waiting.delete(sessionId);
        return;
      }
      try {
        await this.applyAll(sessionId, batch.map((w) => w.update));
        for (const w of batch) w.settle?.();
      } catch (err) {
        // One bad receipt must not cost the others theirs: apply them one by one.
        this.logger.warn({ err, sessionId, receipts: batch.length }, 'Recording a batch of receipts failed; recording them one by one');
        for (const w of batch) {
          try {
            await this.applyAll(sessionId, [w.update]);
            w.settle?.();
          } catch (e) {
            this.logger.error({ err: e, sessionId }, 'Recording a receipt failed');
            w.settle?.(e as Error);
          }
        }
      }
    }
  }

  private applyAll(sessionId: string, updates: MessageStatusUpdate[]): Promise<unknown> {
    return this.dispatcher.changeStatus(async (m) => {
      const changed = [];
      for (const update of updates) {
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
