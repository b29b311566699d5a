import makeWASocket, {
  Browsers,
  BufferJSON,
  downloadMediaMessage,
  jidNormalizedUser,
  type WAMessage,
  type WAMessageKey,
  makeCacheableSignalKeyStore,
  proto,
  type CacheStore,
  type ConnectionState,
  type WASocket,
} from '@whiskeysockets/baileys';
import { NodeCache } from '@cacheable/node-cache';
import type { Logger } from 'pino';
import type { AuthStateStore } from '../auth-state/auth-state.store';
import type { SentMessageStore } from '../sent-messages/sent-message.store';
import { EngineEmitter } from '../engine/engine-base';
import type { MessageStatusUpdate } from '../engine/engine-events';
import { EngineCapability, type EngineSessionOptions, type GroupInfo, type OwnProfile, type OwnProfilePatch, type WhatsAppEngine } from '../engine/whatsapp-engine.port';
import { isLinked, useDbAuthState } from './baileys-auth-state';
import { assertBaileysPatched, assertWhatsAppRootTrusted } from './baileys-patches';
import { toContactInfo, toDisconnectReason, toEngineAccount, toGroupInfo, toInboundMessage, toStatusUpdate } from './baileys.mapper';
import { toBaileysContent, toSendOptions } from './baileys-content';
import { EngineSendError, type MessageRef, type NumberCheck, type OutgoingMessage, type PresenceState } from '../engine/outgoing-message';

export interface BaileysEngineConfig {
  /** Overrides wss://web.whatsapp.com/ws/chat (the loopback simulator in tests). */
  socketUrl?: string;
  /** Process-wide retry counter cache (`createRetryCounterCache`), so decrypt-retry counts survive reconnects. */
  msgRetryCounterCache: CacheStore;
  /**
   * Where sent messages are kept for re-sending on retry receipts: Baileys' own cache of
   * recent sends lasts 5 minutes and dies with the socket.
   */
  sentMessages: SentMessageStore;
  logger: Logger;
}

const CAPABILITIES = new Set([EngineCapability.QR_LINK, EngineCapability.PAIRING_CODE]);

/** Bound on the ids remembered between a message's commit and its (duplicate) upsert. */
const STORED_BEFORE_RECEIPT_LIMIT = 10_000;

/** One per process, shared by every Baileys socket. */
export function createRetryCounterCache(): CacheStore {
  return new NodeCache({ stdTTL: 3600, useClones: false }) as unknown as CacheStore;
}

/** The engine's Signal key cache: Baileys' own settings (5 minutes, no clones). */
function createKeyCache(): NodeCache<unknown> {
  return new NodeCache<unknown>({ stdTTL: 300, useClones: false, deleteOnExpire: true });
}

/** How long a contact's device list is trusted without a lookup (device notifications update it meanwhile). */
const DEVICE_LIST_TTL_S = 3600;

function createDeviceCache(): NodeCache<unknown> {
  return new NodeCache<unknown>({ stdTTL: DEVICE_LIST_TTL_S, useClones: false });
}

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
  /** Who is on WhatsApp, so a send does not cost a usync round trip every time. */
  private readonly onWhatsApp = new Map<string, NumberCheck>();
  /**
   * Ids of messages stored by `onMessageBeforeReceipt`: Baileys upserts the same message
   * right after its receipt, and that upsert must not store it a second time.
   */
  private readonly storedBeforeReceipt = new Set<string>();
  /**
   * `id:status` of statuses stored by `onReceiptBeforeAck`: Baileys emits the same statuses
   * as `messages.update` right after, and those must not be recorded a second time.
   */
  private readonly recordedBeforeAck = new Set<string>();
  /**
   * The Signal key cache in front of the database: one for the engine's life, emptied at every
   * connect (a key write that failed to commit must not outlive its socket) and closed when the
   * engine is disconnected or logged out. One per socket, never closed, kept every cache and its
   * keys alive until the cache's own expiry timer ran (up to ten minutes).
   */
  private keyCache: NodeCache<unknown> | null = null;
  /**
   * Baileys' cache of each contact's device list, for the engine's life like the key cache.
   * Every miss costs a device lookup and, when WhatsApp answers with the contact's LID (it does),
   * a forced re-fetch of the Signal sessions of that contact and of the account's own devices
   * (docs/baileys-patches.md, "Not patched: device lookups"); Baileys' own default forgets a list after five
   * minutes, so a contact written to all day was re-keyed every five minutes. Device changes
   * reach the cache through WhatsApp's device notifications, which Baileys applies to it.
   */
  private deviceCache: NodeCache<unknown> | null = null;

  constructor(
    private readonly options: EngineSessionOptions,
    private readonly store: AuthStateStore,
    private readonly config: BaileysEngineConfig,
  ) {
    super();
    assertBaileysPatched();
  }

  async connect(): Promise<void> {
    this.closeSocket();
    assertWhatsAppRootTrusted(Boolean(this.config.socketUrl));
    const { sessionId } = this.options;
    const { state, saveCreds } = await useDbAuthState(this.store, sessionId, this.options.writeFence);
    const linked = isLinked(state.creds);
    const logger = this.config.logger;
    const creds = new SerialQueue();

    const keyCache = (this.keyCache ??= createKeyCache());
    keyCache.flushAll();
    const deviceCache = (this.deviceCache ??= createDeviceCache());
    deviceCache.flushAll();
    const sock = makeWASocket({
      auth: { creds: state.creds, keys: makeCacheableSignalKeyStore(state.keys, logger, keyCache as unknown as CacheStore) },
      logger,
      browser: Browsers.ubuntu('Chrome'),
      // Online presence would stop notifications on the user's phone.
      markOnlineOnConnect: false,
      // A gateway does not need the phone's full history; the initial sync still runs.
      syncFullHistory: false,
      msgRetryCounterCache: this.config.msgRetryCounterCache,
      userDevicesCache: deviceCache as unknown as CacheStore,
      // A recipient device that could not decrypt a message sends a retry receipt; Baileys
      // re-encrypts what this returns. Without it the chat shows "Waiting for this message".
      getMessage: (key) => this.getMessage(key.id),
      // Patched into Baileys (docs/baileys-patches.md): the delivery receipt, which the sender
      // sees as "delivered", waits until the message is stored. A throw withholds the receipt
      // and WhatsApp delivers the message again.
      onMessageBeforeReceipt: (msg) => this.storeBeforeReceipt(sock, msg as WAMessage),
      // Patched too: a delivery/read receipt of a message we sent is acknowledged to WhatsApp
      // only once its status is stored; a throw withholds the ack and WhatsApp sends the
      // receipt again after the next login.
      onReceiptBeforeAck: (updates) => this.recordBeforeAck(sock, updates),
      ...(this.config.socketUrl ? { waWebSocketUrl: this.config.socketUrl } : {}),
    });
    this.sock = sock;
    this.emit({ type: 'connecting', linked });

    // Registered first: Baileys mutates `creds` in place and pre-key uploads emit several
    // updates in a row, so writes are serialized and awaited before any reconnect.
    // A write that fails (the database, or this replica no longer holding the session's lease)
    // is logged; the next update writes the whole creds object again.
    sock.ev.on('creds.update', () => void creds.push(saveCreds).catch((err: Error) => logger.warn({ err: err.message }, 'Storing credentials failed')));
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
        // A receipt that lands while our own send is still in the event buffer is folded
        // into the upsert instead of a messages.update (observed against a loopback server).
        this.emitReceipt(toStatusUpdate(msg.key, msg.status));
        if (msg.key.id && this.storedBeforeReceipt.delete(msg.key.id)) continue;
        // Messages that did not pass the receipt hook (e.g. the phone's answer to a
        // placeholder resend) are stored from the upsert.
        const inbound = toInboundMessage(msg);
        if (inbound) {
          this.receive(inbound).catch((err: Error) =>
            logger.error({ waMessageId: inbound.id, err: err.message }, 'storing an inbound message failed'),
          );
        }
      }
    });

    const onContacts = (contacts: Partial<import('@whiskeysockets/baileys').Contact>[]) => {
      if (sock !== this.sock) return;
      const mapped = contacts.map(toContactInfo).filter((c): c is NonNullable<typeof c> => c !== null);
      if (mapped.length) this.emit({ type: 'contacts.upsert', contacts: mapped });
    };
    sock.ev.on('contacts.upsert', onContacts);
    sock.ev.on('contacts.update', onContacts);

    sock.ev.on('call', (calls) => {
      if (sock !== this.sock) return;
      for (const c of calls) {
        if (c.status !== 'offer') continue;
        this.emit({
          type: 'call',
          call: {
            id: c.id,
            from: c.from,
            fromPhone: c.callerPn ? (c.callerPn.split('@')[0] ?? null) : c.from.endsWith('@s.whatsapp.net') ? c.from.split('@')[0] : null,
            isVideo: Boolean(c.isVideo),
            isGroup: Boolean(c.isGroup),
            at: new Date(c.date),
          },
        });
      }
    });

    sock.ev.on('messages.update', (updates) => {
      if (sock !== this.sock) return;
      for (const { key, update } of updates) {
        const status = toStatusUpdate(key, update.status, update.messageStubParameters?.[0]);
        if (status && this.recordedBeforeAck.delete(`${status.waMessageId}:${status.status}`)) continue;
        this.emitReceipt(status);
      }
    });
  }

  /** Stores an inbound message before Baileys sends its delivery receipt. */
  private async storeBeforeReceipt(sock: WASocket, msg: WAMessage): Promise<void> {
    if (sock !== this.sock) throw new Error('this connection is closing; WhatsApp will deliver the message again');
    const inbound = toInboundMessage(msg);
    if (!inbound) return;
    await this.receive(inbound);
    this.storedBeforeReceipt.add(inbound.id);
    if (this.storedBeforeReceipt.size > STORED_BEFORE_RECEIPT_LIMIT) {
      this.storedBeforeReceipt.delete(this.storedBeforeReceipt.values().next().value!);
    }
  }

  /** Stores the statuses of a receipt before Baileys acknowledges it to WhatsApp. */
  private async recordBeforeAck(sock: WASocket, updates: { key: WAMessageKey; update: Partial<proto.IWebMessageInfo> }[]): Promise<void> {
    if (sock !== this.sock) throw new Error('this connection is closing; WhatsApp will deliver the receipt again');
    const statuses = updates.map(({ key, update }) => toStatusUpdate(key, update.status)).filter((u) => u !== null);
    await this.recordReceipts(statuses);
    for (const u of statuses) {
      this.recordedBeforeAck.add(`${u.waMessageId}:${u.status}`);
      if (this.recordedBeforeAck.size > STORED_BEFORE_RECEIPT_LIMIT) {
        this.recordedBeforeAck.delete(this.recordedBeforeAck.values().next().value!);
      }
    }
  }

  private emitReceipt(update: MessageStatusUpdate | null): void {
    if (update) this.emit({ type: 'message.status', update });
  }

  async send(message: OutgoingMessage): Promise<void> {
    const sock = this.requireOpen();
    if (message.to.endsWith('@s.whatsapp.net')) {
      const [check] = await this.checkNumbers([message.to.split('@')[0]]);
      if (!check.exists) throw new EngineSendError('permanent', 'RECIPIENT_NOT_ON_WHATSAPP', `${check.input} is not on WhatsApp`);
    }
    let sent: WAMessage | undefined;
    try {
      sent = await sock.sendMessage(message.to, toBaileysContent(message.content), toSendOptions(message));
    } catch (err) {
      throw toSendError(err);
    }
    if (sent?.message && sent.key.id) await this.keepSent(sent.key.id, sent.message);
  }

  /** Stores what went out for `getMessage`; the send already happened, so a failure only warns. */
  private async keepSent(waMessageId: string, message: proto.IMessage): Promise<void> {
    try {
      await this.config.sentMessages.save(this.options.sessionId, waMessageId, proto.Message.encode(message).finish());
    } catch (err) {
      this.config.logger.warn({ waMessageId, err: (err as Error).message }, 'could not store the sent message for retry receipts');
    }
  }

  /**
   * The message this gateway sent with WhatsApp id `waMessageId`, as Baileys' `getMessage`
   * wants it (re-sent on a retry receipt); undefined for anything it did not send.
   */
  async getMessage(waMessageId: string | null | undefined): Promise<proto.IMessage | undefined> {
    if (!waMessageId) return undefined;
    try {
      const bytes = await this.config.sentMessages.load(this.options.sessionId, waMessageId);
      return bytes ? proto.Message.decode(bytes) : undefined;
    } catch (err) {
      this.config.logger.warn({ waMessageId, err: (err as Error).message }, 'could not load a sent message for a retry receipt');
      return undefined;
    }
  }

  async sendPresence(jid: string, state: PresenceState): Promise<void> {
    const sock = this.requireOpen();
    await sock.sendPresenceUpdate(state, jid);
  }

  async markRead(messages: MessageRef[]): Promise<void> {
    const sock = this.requireOpen();
    await sock.readMessages(
      messages.map((m) => ({ remoteJid: m.chatJid, id: m.id, fromMe: m.fromMe, ...(m.participant ? { participant: m.participant } : {}) })),
    );
  }

  async checkNumbers(numbers: string[]): Promise<NumberCheck[]> {
    const sock = this.requireOpen();
    const out: NumberCheck[] = [];
    const unknown = numbers.filter((n) => {
      const cached = this.onWhatsApp.get(n);
      if (cached) out.push(cached);
      return !cached;
    });
    if (unknown.length) {
      let results: { jid: string; exists: boolean }[] | undefined;
      try {
        results = await sock.onWhatsApp(...unknown);
      } catch (err) {
        throw toSendError(err);
      }
      for (const input of unknown) {
        const hit = results?.find((r) => r.jid.split('@')[0] === input);
        const check = { input, exists: Boolean(hit?.exists), jid: hit?.exists ? hit.jid : null };
        this.rememberCheck(check);
        out.push(check);
      }
    }
    return numbers.map((n) => out.find((c) => c.input === n)!);
  }

  async downloadMedia(ref: string): Promise<Buffer> {
    const sock = this.requireOpen();
    const message = JSON.parse(ref, BufferJSON.reviver) as WAMessage;
    try {
      return (await downloadMediaMessage(message, 'buffer', {}, { logger: this.config.logger, reuploadRequest: sock.updateMediaMessage })) as Buffer;
    } catch (err) {
      throw toSendError(err);
    }
  }

  async rejectCall(callId: string, from: string): Promise<void> {
    await this.requireOpen().rejectCall(callId, from);
  }

  async groups(): Promise<GroupInfo[]> {
    const all = await this.requireOpen().groupFetchAllParticipating();
    return Object.values(all).map(toGroupInfo);
  }

  async groupMetadata(jid: string): Promise<GroupInfo> {
    return toGroupInfo(await this.requireOpen().groupMetadata(jid));
  }

  async ownProfile(): Promise<OwnProfile> {
    const sock = this.requireOpen();
    const me = jidNormalizedUser(sock.user!.id);
    const [status, pictureUrl, business] = await Promise.all([
      sock.fetchStatus(me).then(
        (list) => (list?.[0] as { status?: { status?: string | null } } | undefined)?.status?.status ?? null,
        () => null,
      ),
      // No picture (or one hidden by privacy) is an IQ error, not a failure.
      sock.profilePictureUrl(me, 'image').then(
        (url) => url ?? null,
        () => null,
      ),
      sock.getBusinessProfile(me).then(
        (b) => b ?? null,
        () => null,
      ),
    ]);
    return {
      about: status || null,
      pictureUrl,
      business: business
        ? {
            description: business.description || null,
            email: business.email || null,
            websites: business.website ?? [],
            address: business.address || null,
            category: business.category || null,
          }
        : null,
    };
  }

  async updateOwnProfile(patch: OwnProfilePatch): Promise<void> {
    const sock = this.requireOpen();
    if (patch.about !== undefined) await sock.updateProfileStatus(patch.about);
    if (patch.picture) await sock.updateProfilePicture(jidNormalizedUser(sock.user!.id), patch.picture);
    if (patch.business && Object.keys(patch.business).length) {
      await sock.updateBussinesProfile({
        ...(patch.business.description !== undefined ? { description: patch.business.description ?? '' } : {}),
        ...(patch.business.email !== undefined ? { email: patch.business.email ?? '' } : {}),
        ...(patch.business.address !== undefined ? { address: patch.business.address ?? '' } : {}),
        ...(patch.business.websites !== undefined ? { websites: patch.business.websites } : {}),
      });
    }
  }

  private rememberCheck(check: NumberCheck): void {
    this.onWhatsApp.set(check.input, check);
    if (this.onWhatsApp.size > 5000) this.onWhatsApp.delete(this.onWhatsApp.keys().next().value!);
  }

  private requireOpen(): WASocket {
    const sock = this.sock;
    if (!sock || !sock.user) throw new EngineSendError('not-ready', 'SESSION_NOT_READY', 'The WhatsApp connection is not open');
    return sock;
  }

  /** Ends the socket (if any); the key cache stays for the next connect. */
  private closeSocket(): void {
    const sock = this.sock;
    this.sock = null;
    if (sock) sock.end(undefined);
  }

  /** Empties and closes the caches (their expiry timers included); a later connect makes new ones. */
  private releaseCaches(): void {
    for (const cache of [this.keyCache, this.deviceCache]) {
      cache?.flushAll();
      cache?.close();
    }
    this.keyCache = this.deviceCache = null;
  }

  async disconnect(): Promise<void> {
    this.closeSocket();
    this.releaseCaches();
  }

  async logout(): Promise<void> {
    const sock = this.sock;
    this.sock = null;
    try {
      // Tells WhatsApp to remove this companion device, then closes with 401.
      if (sock) await sock.logout();
    } catch {
      sock?.end(undefined);
    } finally {
      this.releaseCaches();
    }
  }
}

/** Boom errors from sendMessage: connection problems are worth a retry, the rest are not. */
function toSendError(err: unknown): EngineSendError {
  if (err instanceof EngineSendError) return err;
  const boom = err as { output?: { statusCode?: number }; data?: unknown; message?: string };
  const status = boom?.output?.statusCode;
  const message = boom?.message ?? String(err);
  if (status === 428 || status === 408 || status === 503 || /closed|timed out|timeout/i.test(message)) {
    return new EngineSendError('transient', 'ENGINE_CONNECTION', message, { cause: err });
  }
  if (/ENOENT|no such file/i.test(message)) return new EngineSendError('permanent', 'MEDIA_MISSING', message, { cause: err });
  return new EngineSendError('transient', 'ENGINE_ERROR', message, { cause: err });
}
