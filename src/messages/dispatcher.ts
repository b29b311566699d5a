import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Wakeup } from '../common/utils/wakeup';
import { AppConfig } from '../config/app-config';
import { ContactsService } from '../contacts/contacts.service';
import { EventBus } from '../events/event-bus';
import { EVENT_OUTBOX, type EventOutbox, type OutboxEventInput } from '../events/event-outbox';
import { MediaService } from '../media/media.service';
import { MediaObjectNotFoundError } from '../media/media-storage';
import { isTransient } from '../tts/tts-errors';
import { TtsService } from '../tts/tts.service';
import { SessionRegistry } from '../sessions/session-registry';
import type { SessionSettings } from '../sessions/session-settings';
import { SessionStatus } from '../sessions/session-status';
import { SessionsService } from '../sessions/sessions.service';
import { backoffDelay } from '../sessions/reconnect-policy';
import { EngineSendError, type OutgoingContent, type OutgoingMessage } from '../whatsapp/engine/outgoing-message';
import type { WhatsAppEngine } from '../whatsapp/engine/whatsapp-engine.port';
import type { MessageEntity } from './entities/message.entity';
import { MessageStatus } from './message-status';
import { MessagesRepository } from './messages.repository';
import { isGroupJid } from './recipient';
import { PgSentMessageStore, toHex } from './sent-message.store';

/** Claimed per round when a session has no pacing (drains fast); paced sessions claim one. */
const UNPACED_BATCH = 100;
/** Chats with held messages the sweep re-checks at a time. */
const HELD_RECHECK_BATCH = 500;

type Outcome = 'sent' | 'done' | 'not-ready';

/**
 * Sends what the queue holds. One worker per session that is READY in this process (which, with
 * several replicas, means under this replica's lease: see SessionRegistry.readyEngine) sends
 * that session's due messages in FIFO order, one at a time, with the session's random pause
 * between sends and its daily cap. Receipts and failures are recorded on the row.
 */
@Injectable()
export class Dispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Dispatcher.name);
  /** Identifies this process's claims; a restarted process has a new one. */
  readonly instanceId = randomUUID();
  private readonly workers = new Map<string, SessionWorker>();
  private sweeper?: NodeJS.Timeout;
  /** Where the sweep's re-check of held messages goes on (see recheckHeld). */
  private heldCursor: { sessionId: string; chatJid: string } | null = null;
  private unsubscribe: (() => void)[] = [];
  private stopping = false;

  constructor(
    readonly repo: MessagesRepository,
    readonly registry: SessionRegistry,
    readonly sessions: SessionsService,
    readonly media: MediaService,
    readonly tts: TtsService,
    readonly config: AppConfig,
    readonly bus: EventBus,
    readonly contacts: ContactsService,
    readonly sentMessages: PgSentMessageStore,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(EVENT_OUTBOX) private readonly outbox?: EventOutbox,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe.push(
      this.bus.on('session.status', (e) => {
        // Through notify: only a session READY here under this replica's lease gets a worker
        // (whose first act returns the claims a previous owner left SENDING).
        if (e.status === SessionStatus.READY) this.notify(e.sessionId);
        else this.workers.get(e.sessionId)?.notify();
      }),
      this.bus.on('session.settings', (e) => {
        this.workers.get(e.sessionId)?.notify();
        void this.releaseIfNotHolding(e.sessionId).catch((err) => this.logger.error({ err, sessionId: e.sessionId }, 'Releasing held messages failed'));
      }),
      this.bus.on('contact.opt_in', (e) => {
        const jid = (e.data as { contact?: { jid?: string } }).contact?.jid;
        const optIn = (e.data as { optIn?: string }).optIn ?? null;
        if (jid) this.workers.get(e.sessionId)?.optInChanged(jid, optIn);
        if (jid) void this.applyOptIn(e.sessionId, jid, optIn).catch((err) => this.logger.error({ err, sessionId: e.sessionId }, 'Applying an opt-in answer failed'));
      }),
    );
    this.sweeper = setInterval(() => void this.sweep(), this.config.queue.sweepIntervalMs);
    this.sweeper.unref();
    void this.sweep();
  }

  /** Workers stop before the database closes (onApplicationShutdown), so no query is left hanging. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.unsubscribe.forEach((u) => u());
    clearInterval(this.sweeper);
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }

  /** Wakes the session's worker (a message was queued or the session became ready). */
  notify(sessionId: string): void {
    if (this.registry.readyEngine(sessionId)) this.worker(sessionId).notify();
  }

  /**
   * Runs a status change and records `message.status` for every row it changed in the same
   * transaction, so a row never changes without its event (nor the event exist without the
   * change). In-process listeners hear of them on the bus after the commit.
   */
  async changeStatus(change: (manager: EntityManager) => Promise<MessageEntity[]>): Promise<MessageEntity[]> {
    const rows = await this.dataSource.transaction(async (tx) => {
      const changed = await change(tx);
      if (changed.length) await this.outbox?.publishAll(changed.map(statusEvent), tx);
      return changed;
    });
    this.emitStatus(rows);
    return rows;
  }

  /** Tells in-process listeners about committed status changes (their events are in the outbox). */
  private emitStatus(rows: MessageEntity[]): void {
    for (const m of rows) {
      this.bus.emit({
        type: 'message.status',
        sessionId: m.sessionId,
        messageId: m.id,
        number: m.number,
        waMessageId: m.waMessageId,
        chatJid: m.chatJid,
        status: m.status,
        error: statusError(m),
        at: new Date().toISOString(),
        messageType: m.type,
        acceptedAt: m.createdAt.toISOString(),
      });
    }
  }

  /** Tells in-process listeners (metrics) that a message was accepted into the queue. */
  accepted(m: MessageEntity): void {
    this.bus.emit({ type: 'message.accepted', sessionId: m.sessionId, messageId: m.id, messageType: m.type, at: m.createdAt.toISOString() });
  }

  private worker(sessionId: string): SessionWorker {
    let worker = this.workers.get(sessionId);
    if (!worker && !this.stopping) {
      worker = new SessionWorker(sessionId, this, this.logger);
      this.workers.set(sessionId, worker);
      void worker.run();
    }
    return worker!;
  }

  /** Called synchronously by a worker that ends, so a later wake-up creates a new one. */
  retire(sessionId: string, worker: SessionWorker): void {
    if (this.workers.get(sessionId) === worker) this.workers.delete(sessionId);
  }

  /**
   * A contact's opt-in answer reaches the messages held for it: YES releases them (due now, with
   * a fresh expiry) and wakes the session's worker; NO ends them OPTED_OUT, each with its
   * `message.status` event. No answer (pending) leaves them held.
   */
  async applyOptIn(sessionId: string, chatJid: string, optIn: string | null): Promise<void> {
    if (optIn === 'yes') {
      const released = await this.repo.releaseHeld(sessionId, chatJid, this.freshExpiry(), 'OPTED_IN');
      if (released) this.notify(sessionId);
    } else if (optIn === 'no') {
      await this.changeStatus((m) => this.repo.optOutHeld(sessionId, chatJid, m));
    }
  }

  /**
   * Holds a claimed message (and the chat's other queued ones) until its contact answers; then
   * reads the answer again, so a YES or NO recorded while the hold committed is not missed
   * (its own release may have run just before the hold).
   */
  async holdForOptIn(message: MessageEntity): Promise<void> {
    await this.repo.hold(message.id, message.sessionId, message.chatJid, 'NOT_OPTED_IN');
    const optIn = await this.contacts.optInOf(message.sessionId, message.chatJid);
    if (optIn === 'yes' || optIn === 'no') await this.applyOptIn(message.sessionId, message.chatJid, optIn);
  }

  /** After a settings change: a session that no longer holds for opt-in gets its held messages back in the queue. */
  private async releaseIfNotHolding(sessionId: string): Promise<void> {
    if (holdsForOptIn(await this.sessions.settingsOf(sessionId))) return;
    if (await this.repo.releaseHeld(sessionId, null, this.freshExpiry(), 'SETTINGS')) this.notify(sessionId);
  }

  private freshExpiry(): Date {
    return new Date(Date.now() + this.config.queue.messageTtlMs);
  }

  /**
   * The sweep's check of held messages, for answers this process did not hear of (another
   * process recorded them, or it stopped between recording and releasing) and sessions whose
   * settings another process changed.
   */
  private async recheckHeld(): Promise<void> {
    const chats = await this.repo.heldChats(HELD_RECHECK_BATCH, this.heldCursor);
    // The next sweep goes on after this page, or starts over once the last page was short.
    this.heldCursor = chats.length === HELD_RECHECK_BATCH ? chats[chats.length - 1] : null;
    if (!chats.length) return;
    const answers = await this.contacts.optInsOf(chats.map((c) => ({ sessionId: c.sessionId, jid: c.chatJid })));
    for (const sessionId of new Set(chats.map((c) => c.sessionId))) await this.releaseIfNotHolding(sessionId);
    for (const c of chats) {
      const optIn = answers.get(`${c.sessionId}|${c.chatJid}`) ?? null;
      if (optIn === 'yes' || optIn === 'no') await this.applyOptIn(c.sessionId, c.chatJid, optIn);
    }
  }

  /** Expires what waited too long and returns expired leases of dead processes to the queue. */
  private async sweep(): Promise<void> {
    try {
      await this.changeStatus((m) => this.repo.expireDue(m));
      await this.recheckHeld();
      const recovered = await this.repo.recoverClaims(null, this.instanceId);
      if (recovered) this.logger.warn({ recovered }, 'Returned messages with expired claims to the queue');
    } catch (err) {
      if (!this.stopping) this.logger.error({ err }, 'Queue sweep failed');
    }
  }
}

class SessionWorker {
  private stopped = false;
  private readonly wakeup = new Wakeup();
  private nextSendAt = 0;
  private done: Promise<void> = Promise.resolve();
  /** The SENT mark of the last batch, still committing while the next one goes out. */
  private marking: Promise<void> = Promise.resolve();
  /** Opt-in answers of the contacts in the batch being sent (see prefetchOptIns). */
  private readonly optIns = new Map<string, string | null>();

  constructor(
    private readonly sessionId: string,
    private readonly d: Dispatcher,
    private readonly logger: Logger,
  ) {}

  notify(): void {
    this.wakeup.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notify();
    await this.done;
  }

  run(): Promise<void> {
    this.done = this.loop();
    return this.done;
  }

  private async loop(): Promise<void> {
    // This process now owns the session's socket: whatever another (dead) process had
    // claimed for it goes back to the queue and is sent again under the same WhatsApp id.
    await this.d.repo.recoverClaims(this.sessionId, this.d.instanceId).catch(() => 0);
    let idleRounds = 0;
    while (!this.stopped) {
      let sleepMs: number;
      try {
        sleepMs = await this.round();
      } catch (err) {
        this.logger.error({ err, sessionId: this.sessionId }, 'Dispatch round failed');
        sleepMs = 1_000;
      }
      if (sleepMs === Infinity) {
        // Not ready: end the worker; the next READY event starts a new one. Retiring is
        // synchronous with the check, so no wake-up can fall between them.
        if (++idleRounds > 1 && !this.wakeup.isPending) break;
        sleepMs = this.d.config.queue.pollIntervalMs;
      } else {
        idleRounds = 0;
      }
      if (sleepMs > 0) await this.wakeup.sleep(sleepMs);
    }
    await this.marking;
    this.d.retire(this.sessionId, this);
  }

  /** One claim-and-send round; returns how long to sleep (Infinity: the session is not ready). */
  private async round(): Promise<number> {
    const engine = this.d.registry.readyEngine(this.sessionId);
    if (!engine) return Infinity;
    const { queue } = this.d.config;
    const settings = await this.d.sessions.settingsOf(this.sessionId);
    const pacingWait = this.nextSendAt - Date.now();
    if (pacingWait > 0) return pacingWait;
    const paced = settings.maxDelayMs > 0;
    let room = claimRoom(settings, 0);
    if (settings.dailyLimit !== null) {
      // The cap counts SENT marks: the last batch's must have landed.
      await this.marking;
      const dayStart = startOfUtcDay();
      room = claimRoom(settings, await this.d.repo.countSentSince(this.sessionId, dayStart));
      if (room === 0) return Math.min(dayStart.getTime() + 86_400_000 - Date.now(), 60_000);
    }
    // Wake-ups so far are answered by this claim: a later sleep waits for a new one.
    void this.wakeup.sleep(0);
    const batch = await this.d.repo.claim(this.sessionId, this.d.instanceId, room, queue.leaseMs);
    if (!batch.length) {
      const due = await this.d.repo.nextDueAt(this.sessionId);
      return due ? Math.max(10, Math.min(due.getTime() - Date.now(), queue.pollIntervalMs)) : queue.pollIntervalMs;
    }
    await this.prefetchOptIns(batch);
    const sent: MessageEntity[] = [];
    for (let i = 0; i < batch.length; i++) {
      const current = this.d.registry.readyEngine(this.sessionId);
      const outcome: Outcome = this.stopped || current !== engine ? 'not-ready' : await this.deliver(engine, batch[i], settings);
      if (outcome === 'sent') sent.push(batch[i]);
      if (outcome === 'not-ready') {
        await this.d.repo.release(batch.slice(i).map((m) => m.id));
        break;
      }
    }
    this.optIns.clear();
    if (sent.length) {
      // The SENT mark commits while the next batch is claimed and sent; one at a time, in order.
      await this.marking;
      this.marking = this.markSent(sent).catch((err) =>
        // Left SENDING: the lease runs out and they are sent again under the same WhatsApp ids.
        this.logger.error({ err, sessionId: this.sessionId, messages: sent.length }, 'Marking messages SENT failed'),
      );
    }
    if (paced && sent.length) this.nextSendAt = Date.now() + pauseAfterSend(settings);
    return 0;
  }

  /**
   * Marks sent messages SENT, with the engine's copy of each (kept for retry receipts) in the
   * same statement: the send itself waited for no write.
   */
  private async markSent(sent: MessageEntity[]): Promise<void> {
    const sentAt = new Date();
    const protos = this.d.sentMessages.pendingFor(this.sessionId, sent.map((m) => m.waMessageId));
    const hex = sent.map((m) => {
      const bytes = protos.get(m.waMessageId);
      return bytes ? toHex(bytes) : null;
    });
    await this.d.changeStatus((tx) =>
      this.d.repo.markSent(
        sent.map((m) => m.id),
        sentAt,
        tx,
        hex,
      ),
    );
    this.d.sentMessages.written(this.sessionId, protos);
  }

  /**
   * The opt-in answers of the claimed batch's contacts in one query. An answer recorded while
   * the batch is sent reaches it through `optInChanged` (this process) before the next send.
   */
  private async prefetchOptIns(batch: MessageEntity[]): Promise<void> {
    this.optIns.clear();
    const jids = [...new Set(batch.filter(needsOptInCheck).map((m) => m.chatJid))];
    if (!jids.length) return;
    const answers = await this.d.contacts.optInsOf(jids.map((jid) => ({ sessionId: this.sessionId, jid })));
    for (const jid of jids) this.optIns.set(jid, answers.get(`${this.sessionId}|${jid}`) ?? null);
  }

  /** A contact answered the opt-in prompt: messages of the batch still to go see the answer. */
  optInChanged(jid: string, optIn: string | null): void {
    if (this.optIns.has(jid)) this.optIns.set(jid, optIn);
  }

  private async deliver(engine: WhatsAppEngine, message: MessageEntity, settings: SessionSettings): Promise<Outcome> {
    const optOut = await this.optOutReason(message, settings);
    if (optOut === 'HOLD') {
      // Holding reads the answer again (and may release the chat): the batch's next message
      // for this contact reads it afresh too.
      this.optIns.delete(message.chatJid);
      await this.d.holdForOptIn(message);
      return 'done';
    }
    if (optOut) {
      await this.d.changeStatus(async (m) =>
        rowList(await this.d.repo.finish(message.id, MessageStatus.OPTED_OUT, optOut, 'The recipient has not opted in to messages from this number', m)),
      );
      return 'done';
    }
    try {
      await engine.send(await this.toOutgoing(message));
      return 'sent';
    } catch (err) {
      const failure =
        err instanceof EngineSendError ? err : new EngineSendError('transient', 'INTERNAL_ERROR', (err as Error)?.message ?? String(err));
      const next = afterSendFailure(failure, message.attempts, this.d.config.queue);
      if (next.action === 'release') return 'not-ready';
      if (next.action === 'fail') {
        await this.d.changeStatus(async (m) => rowList(await this.d.repo.finish(message.id, MessageStatus.FAILED, failure.code, failure.message, m)));
        this.logger.warn({ sessionId: this.sessionId, messageId: message.id, code: failure.code, attempts: message.attempts }, 'Message failed');
        return 'done';
      }
      await this.d.repo.retryLater(message.id, next.delayMs, failure.code, failure.message);
      return 'done';
    }
  }

  /**
   * The WA Gateway: a contact who said NO never gets messages; with requireOptIn only a YES does,
   * and the others' messages are refused or held (optInMode).
   */
  private async optOutReason(message: MessageEntity, settings: SessionSettings): Promise<'OPTED_OUT' | 'NOT_OPTED_IN' | 'HOLD' | null> {
    if (!needsOptInCheck(message)) return null;
    const optIn = this.optIns.has(message.chatJid) ? this.optIns.get(message.chatJid)! : await this.d.contacts.optInOf(message.sessionId, message.chatJid);
    return optInOutcome(optIn, settings);
  }

  /**
   * Synthesizes a text-to-speech voice note (from the TTS cache when a broadcast already made
   * it) and pins the stored audio to the message, so later attempts reuse it.
   */
  private async speak(message: MessageEntity): Promise<void> {
    const tts = message.content.tts!;
    try {
      const { note } = await this.d.tts.synthesizeVoiceNote({ text: tts.text, voice: tts.voice, speed: tts.speed, instructions: tts.instructions });
      const media = await this.d.media.storeVoiceNote(note, 'voice-note.ogg');
      await this.d.repo.attachMedia(message.id, media.id);
      message.mediaId = media.id;
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'TTS_FAILED';
      throw new EngineSendError(isTransient(err) ? 'transient' : 'permanent', code, (err as Error).message, { cause: err });
    }
  }

  private async toOutgoing(message: MessageEntity): Promise<OutgoingMessage> {
    const c = message.content;
    let content: OutgoingContent;
    if (message.type === 'voice' && !message.mediaId && c.tts) await this.speak(message);
    if (message.mediaId) {
      const media = await this.d.media.get(message.mediaId);
      if (!media) throw new EngineSendError('permanent', 'MEDIA_MISSING', 'The stored media of this message is gone');
      const file = { path: await this.d.media.localPath(media).catch(mediaMissing), mimetype: media.mimetype, size: media.size, fileName: media.fileName };
      switch (message.type) {
        case 'image':
        case 'video':
          content = { kind: message.type, media: file, caption: c.caption, mentions: c.mentions };
          break;
        case 'voice':
          content = {
            kind: 'voice',
            media: file,
            seconds: media.seconds ?? 1,
            waveform: media.waveform ? new Uint8Array(Buffer.from(media.waveform, 'base64')) : new Uint8Array(64),
          };
          break;
        case 'pdf':
        case 'document':
          content = { kind: 'document', media: file, fileName: c.fileName ?? media.fileName ?? 'document', caption: c.caption };
          break;
        case 'sticker':
          content = { kind: 'sticker', media: file };
          break;
        default:
          content = { kind: 'audio', media: file };
      }
    } else if (message.type === 'location' && c.location) {
      content = { kind: 'location', ...c.location };
    } else if (message.type === 'contact' && c.contact) {
      content = { kind: 'contacts', displayName: c.contact.displayName, vcards: c.contact.vcards };
    } else if (message.type === 'reaction' && c.reaction) {
      content = { kind: 'reaction', emoji: c.reaction.emoji, target: c.reaction.target };
    } else {
      content = { kind: 'text', text: c.text ?? '', mentions: c.mentions };
    }
    return { id: message.waMessageId, to: message.chatJid, content, quoted: c.quoted };
  }
}

/** Reactions, group messages and Switchboard's own texts go out whatever the opt-in. */
function needsOptInCheck(message: MessageEntity): boolean {
  return !(message.type === 'reaction' || isGroupJid(message.chatJid) || message.content.system);
}

function rowList(row: MessageEntity | null): MessageEntity[] {
  return row ? [row] : [];
}

function statusError(m: MessageEntity): { code: string; message: string } | null {
  return m.errorCode ? { code: m.errorCode, message: m.errorMessage ?? m.errorCode } : null;
}

/** The `message.status` event of a row whose status changed. */
/** An object gone from the media storage will not come back: the message fails, never retried. */
function mediaMissing(err: unknown): never {
  if (err instanceof MediaObjectNotFoundError) throw new EngineSendError('permanent', 'MEDIA_MISSING', 'The stored media of this message is missing from the media storage', { cause: err });
  throw err;
}

export function statusEvent(m: MessageEntity): OutboxEventInput {
  return {
    type: 'message.status',
    sessionId: m.sessionId,
    data: { messageId: m.id, number: m.number, waMessageId: m.waMessageId, chatId: m.chatJid, status: m.status, error: statusError(m) },
  };
}

// ---- the queue's rules, as pure functions (unit-tested in test/unit/dispatch-rules.spec.ts)

/**
 * How many messages one round may claim: one when the session is paced (a pause follows every
 * send), a batch otherwise, and never past the daily cap (a claimed message counts against
 * today's sends before it is sent). 0: the cap is reached.
 */
export function claimRoom(settings: Pick<SessionSettings, 'maxDelayMs' | 'dailyLimit'>, sentToday: number): number {
  const room = settings.maxDelayMs > 0 ? 1 : UNPACED_BATCH;
  return settings.dailyLimit === null ? room : Math.max(0, Math.min(room, settings.dailyLimit - sentToday));
}

/** The pause after a send of a paced session: uniform in [minDelayMs, maxDelayMs]. */
export function pauseAfterSend(settings: Pick<SessionSettings, 'minDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  return settings.minDelayMs + random() * (settings.maxDelayMs - settings.minDelayMs);
}

/**
 * What a failed send becomes: back to the queue untouched when the session is not ready;
 * FAILED when the failure is permanent or the attempts are used up; otherwise a retry after an
 * exponential backoff (capped at 10 minutes).
 */
export function afterSendFailure(
  failure: Pick<EngineSendError, 'kind'>,
  attempts: number,
  queue: { maxAttempts: number; retryBaseDelayMs: number },
  random: () => number = Math.random,
): { action: 'release' } | { action: 'fail' } | { action: 'retry'; delayMs: number } {
  if (failure.kind === 'not-ready') return { action: 'release' };
  if (failure.kind === 'permanent' || attempts >= queue.maxAttempts) return { action: 'fail' };
  return { action: 'retry', delayMs: backoffDelay(attempts - 1, { baseDelayMs: queue.retryBaseDelayMs, maxDelayMs: 10 * 60_000 }, random) };
}

/** The WA Gateway's rule: a contact who said NO never gets messages; with requireOptIn only a YES does. */
export function optInRefusal(optIn: string | null, requireOptIn: boolean): 'OPTED_OUT' | 'NOT_OPTED_IN' | null {
  if (optIn === 'no') return 'OPTED_OUT';
  if (requireOptIn && optIn !== 'yes') return 'NOT_OPTED_IN';
  return null;
}

/** Whether the session keeps messages for contacts who have not said YES (instead of refusing them). */
export function holdsForOptIn(settings: Pick<SessionSettings, 'requireOptIn' | 'optInMode'>): boolean {
  return settings.requireOptIn && settings.optInMode === 'hold';
}

/**
 * What becomes of a message for a contact with this opt-in answer: sent (null), refused
 * (OPTED_OUT after a NO, NOT_OPTED_IN without a YES where one is required) or, in a session
 * with `optInMode: 'hold'`, held until the contact answers (HOLD).
 */
export function optInOutcome(optIn: string | null, settings: Pick<SessionSettings, 'requireOptIn' | 'optInMode'>): 'OPTED_OUT' | 'NOT_OPTED_IN' | 'HOLD' | null {
  const refusal = optInRefusal(optIn, settings.requireOptIn);
  return refusal === 'NOT_OPTED_IN' && holdsForOptIn(settings) ? 'HOLD' : refusal;
}

function startOfUtcDay(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
