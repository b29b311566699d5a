import makeWASocket, {
  Browsers,
  makeCacheableSignalKeyStore,
  type ConnectionState,
  type WASocket,
} from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { AuthStateStore } from '../auth-state/auth-state.store';
import { EngineEmitter } from '../engine/engine-base';
import { DisconnectReason } from '../engine/engine-events';
import { EngineCapability, type EngineSessionOptions, type WhatsAppEngine } from '../engine/whatsapp-engine.port';
import { isLinked, useDbAuthState } from './baileys-auth-state';
import { toDisconnectReason, toEngineAccount, toInboundText } from './baileys.mapper';

export interface BaileysEngineConfig {
  /** Overrides wss://web.whatsapp.com/ws/chat (the loopback simulator in tests). */
  socketUrl?: string;
  /** Process-wide retry counter cache, so decrypt-retry counts survive reconnects. */
  msgRetryCounterCache: import('@whiskeysockets/baileys').CacheStore;
  logger: Logger;
}

const CAPABILITIES = new Set([EngineCapability.QR_LINK, EngineCapability.PAIRING_CODE]);

/** Chains async work so creds writes land in order and can be awaited before a reconnect. */
class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  push(work: () => Promise<void>): Promise<void> {
    this.tail = this.tail.then(work, work);
    return this.tail;
  }
  drain(): Promise<void> {
    return this.tail.catch(() => undefined);
  }
}

/**
 * The Baileys adapter: one socket at a time, credentials in Postgres. It reports what
 * happened and never reconnects by itself; the registry applies the reconnect policy.
 */
export class BaileysEngine extends EngineEmitter implements WhatsAppEngine {
  readonly kind = 'baileys' as const;
  readonly capabilities = CAPABILITIES;
  private sock: WASocket | null = null;

  constructor(
    private readonly options: EngineSessionOptions,
    private readonly store: AuthStateStore,
    private readonly config: BaileysEngineConfig,
  ) {
    super();
  }

  async connect(): Promise<void> {
    await this.disconnect();
    const { sessionId } = this.options;
    const { state, saveCreds } = await useDbAuthState(this.store, sessionId);
    const linked = isLinked(state.creds);
    const logger = this.config.logger;
    const creds = new SerialQueue();

    const sock = makeWASocket({
      auth: { creds: state.creds, keys: makeCacheableSignalKeyStore(state.keys, logger) },
      logger,
      browser: Browsers.ubuntu('Chrome'),
      // Online presence would stop notifications on the user's phone.
      markOnlineOnConnect: false,
      // A gateway does not need the phone's full history; the initial sync still runs.
      syncFullHistory: false,
      msgRetryCounterCache: this.config.msgRetryCounterCache,
      ...(this.config.socketUrl ? { waWebSocketUrl: this.config.socketUrl } : {}),
    });
    this.sock = sock;
    this.emit({ type: 'connecting', linked });

    // Registered first: Baileys mutates `creds` in place and pre-key uploads emit several
    // updates in a row, so writes are serialized and awaited before any reconnect.
    sock.ev.on('creds.update', () => void creds.push(saveCreds));
    let pairingRequested = false;

    sock.ev.on('connection.update', (update: Partial<ConnectionState>) => {
      if (sock !== this.sock) return;
      if (update.qr) {
        if (this.options.method === 'phone') {
          // The pairing request needs an open Noise session; the first QR is the signal that
          // it is up (calling earlier fails with 428, Baileys issues #369/#2014).
          if (!pairingRequested && !sock.authState.creds.me && this.options.pairingPhone) {
            pairingRequested = true;
            sock.requestPairingCode(this.options.pairingPhone).then(
              (code) => sock === this.sock && this.emit({ type: 'pairing-code', code }),
              (err: Error) => logger.warn({ err: err.message }, 'pairing code request failed'),
            );
          }
        } else {
          this.emit({ type: 'qr', qr: update.qr });
        }
      }
      if (update.connection === 'open' && sock.user) {
        this.emit({ type: 'open', account: toEngineAccount(sock.user) });
      }
      if (update.connection === 'close') {
        this.sock = null;
        const error = update.lastDisconnect?.error as { output?: { statusCode?: number }; message?: string } | undefined;
        const code = error?.output?.statusCode;
        const reason = toDisconnectReason(code, error?.message, linked || isLinked(sock.authState.creds));
        void creds.drain().then(() => this.emit({ type: 'close', reason, code, message: error?.message }));
      }
    });

    sock.ev.on('messages.upsert', ({ messages }) => {
      if (sock !== this.sock) return;
      for (const msg of messages) {
        const inbound = toInboundText(msg);
        if (inbound) this.emit({ type: 'message.received', message: inbound });
      }
    });
  }

  async disconnect(): Promise<void> {
    const sock = this.sock;
    this.sock = null;
    if (sock) sock.end(undefined);
  }

  async logout(): Promise<void> {
    const sock = this.sock;
    this.sock = null;
    if (!sock) return;
    try {
      // Tells WhatsApp to remove this companion device, then closes with 401.
      await sock.logout();
    } catch {
      sock.end(undefined);
    }
  }
}

export { DisconnectReason };
