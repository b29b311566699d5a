import { Inject, Injectable } from '@nestjs/common';
import pino from 'pino';
import { AppConfig } from '../../config/app-config';
import { AuthStateStore } from '../auth-state/auth-state.store';
import { BaileysEngine, createRetryCounterCache } from '../baileys/baileys.engine';
import { SandboxEngine } from '../sandbox/sandbox.engine';
import { SENT_MESSAGE_STORE, type SentMessageStore } from '../sent-messages/sent-message.store';
import type { EngineFactory, EngineKind, EngineSessionOptions, WhatsAppEngine } from './whatsapp-engine.port';

/** Builds engines; tests may bind `ENGINE_FACTORY` to their own. */
@Injectable()
export class DefaultEngineFactory implements EngineFactory {
  private readonly retryCache = createRetryCounterCache();
  private readonly baileysLogger: pino.Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly store: AuthStateStore,
    @Inject(SENT_MESSAGE_STORE) private readonly sentMessages: SentMessageStore,
  ) {
    const level = config.logging.level === 'silent' ? 'silent' : config.logging.level === 'trace' ? 'debug' : 'warn';
    this.baileysLogger = pino({ level, base: { component: 'baileys' } });
  }

  create(kind: EngineKind, options: EngineSessionOptions): WhatsAppEngine {
    if (kind === 'sandbox') {
      return new SandboxEngine(options, this.store, {
        receiptDelayMs: this.config.whatsapp.sandboxReceiptDelayMs,
        sendLogPath: this.config.whatsapp.sandboxSendLog,
      });
    }
    return new BaileysEngine(options, this.store, {
      socketUrl: this.config.whatsapp.simulatorUrl,
      msgRetryCounterCache: this.retryCache,
      sentMessages: this.sentMessages,
      logger: this.baileysLogger.child({ sessionId: options.sessionId }),
    });
  }
}
