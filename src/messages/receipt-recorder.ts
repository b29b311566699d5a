import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { EventBus } from '../events/event-bus';
import type { MessageStatusUpdate } from '../whatsapp/engine/engine-events';
import { Dispatcher } from './dispatcher';
import { MessageStatus } from './message-status';
import { MessagesRepository } from './messages.repository';
import { KeyedMutex } from '../common/utils/keyed-mutex';

/**
 * Records receipts from the engines on the message rows. Receipts may arrive out of order or
 * twice; the repository only ever moves a status forward, so a late DELIVERED after READY is
 * a no-op and emits nothing.
 */
@Injectable()
export class ReceiptRecorder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReceiptRecorder.name);
  private unsubscribe?: () => void;
  /** Receipts of one session are applied in arrival order. */
  private readonly perSession = new KeyedMutex();

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
    this.perSession.run(sessionId, () => this.apply(sessionId, update)).catch((err) => this.logger.error({ err, sessionId }, 'Recording a receipt failed'));
  }

  private async apply(sessionId: string, update: MessageStatusUpdate): Promise<void> {
    const row =
      update.status === 'FAILED'
        ? await this.repo.failSent(sessionId, update.waMessageId, update.errorCode ?? 'WHATSAPP_ERROR')
        : await this.repo.applyReceipt(sessionId, update.waMessageId, update.status as MessageStatus, update.at);
    if (row) this.dispatcher.emitStatus([row]);
  }
}
