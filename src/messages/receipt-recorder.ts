import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { EventBus } from '../events/event-bus';
import type { MessageStatusUpdate } from '../whatsapp/engine/engine-events';
import { Dispatcher } from './dispatcher';
import { MessageStatus } from './message-status';
import { MessagesRepository } from './messages.repository';
import { KeyedMutex } from '../common/utils/keyed-mutex';

/** Most receipts of one session applied in one transaction. */
const RECEIPT_BATCH = 200;

/**
 * Records receipts from the engines on the message rows. Receipts may arrive out of order or
 * twice; the repository only ever moves a status forward, so a late DELIVERED after READY is
 * a no-op and emits nothing. Each session's receipts are applied in arrival order, those
 * that arrived together in one transaction with their `message.status` events.
 */
@Injectable()
export class ReceiptRecorder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReceiptRecorder.name);
  private unsubscribe?: () => void;
  /** Receipts of one session are applied in arrival order. */
  private readonly perSession = new KeyedMutex();
  /** Receipts waiting, per session; present while that session's drain runs. */
  private readonly waiting = new Map<string, MessageStatusUpdate[]>();

  constructor(
    private readonly bus: EventBus,
    private readonly repo: MessagesRepository,
    private readonly dispatcher: Dispatcher,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.on('message.receipt', (e) => this.enqueue(e.sessionId, e.update));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.perSession.idle();
  }

  private enqueue(sessionId: string, update: MessageStatusUpdate): void {
    const waiting = this.waiting.get(sessionId);
    if (waiting) {
      waiting.push(update);
      return;
    }
    this.waiting.set(sessionId, [update]);
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
        await this.applyAll(sessionId, batch);
      } catch (err) {
        // One bad receipt must not cost the others theirs: apply them one by one.
        this.logger.warn({ err, sessionId, receipts: batch.length }, 'Recording a batch of receipts failed; recording them one by one');
        for (const update of batch) {
          await this.applyAll(sessionId, [update]).catch((e) => this.logger.error({ err: e, sessionId }, 'Recording a receipt failed'));
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
