import { Inject, Injectable, Logger, OnModuleInit, BeforeApplicationShutdown, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ContactsService } from '../contacts/contacts.service';
import { EventBus } from '../events/event-bus';
import { EVENT_OUTBOX, type EventOutbox } from '../events/event-outbox';
import { MediaService } from '../media/media.service';
import { SessionRegistry } from '../sessions/session-registry';
import { SessionsService } from '../sessions/sessions.service';
import type { InboundMessage } from '../whatsapp/engine/engine-events';
import type { MessageEntity } from './entities/message.entity';
import type { MessageContent } from './message-content';
import { toMessageDto } from './message.mapper';
import { MessagesRepository } from './messages.repository';
import { KeyedBatcher, type BatchResult } from '../common/utils/keyed-batcher';
import type { EntityManager } from 'typeorm';

/** Inbound messages of one session committed in one transaction at most. */
const MAX_INBOUND_BATCH = 64;

/**
 * Stores what contacts send, once: every inbound message (live or offline-delivered) is a
 * row keyed by its WhatsApp id, so a duplicate upsert from Baileys changes nothing and
 * produces no second webhook. The row, the sender's contact and the webhook deliveries
 * commit in one transaction, and the engine acknowledges the message to WhatsApp (the
 * sender's "delivered") only after that commit. Media are downloaded when asked for, or
 * right after the commit when the session's `mediaDownload` setting is `eager`.
 *
 * A session's messages are stored in arrival order by group commit: what arrives while one
 * transaction commits goes into the next one together, so a burst costs a few commits
 * instead of one each. A batch that fails is stored again one message per transaction, so a
 * message that cannot be stored fails alone.
 */
@Injectable()
export class InboundService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(InboundService.name);
  /** Messages of one session are stored in arrival order, by group commit. */
  private readonly perSession = new KeyedBatcher<InboundMessage, MessageEntity | null>((sessionId, messages) => this.storeBatch(sessionId, messages), MAX_INBOUND_BATCH);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: MessagesRepository,
    private readonly bus: EventBus,
    private readonly registry: SessionRegistry,
    private readonly sessions: SessionsService,
    private readonly media: MediaService,
    private readonly contacts: ContactsService,
    @Optional() @Inject(EVENT_OUTBOX) private readonly outbox?: EventOutbox,
  ) {}

  onModuleInit(): void {
    // Registered before sessions are restored at bootstrap, so no message finds it missing.
    this.registry.setInboundStore((sessionId, message) => this.receive(sessionId, message));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.registry.setInboundStore(null);
    await this.perSession.idle();
  }

  /**
   * The engines' inbound sink: resolves once the message is committed (or was stored
   * before), so the engine may acknowledge it; rejects when it could not be stored.
   */
  async receive(sessionId: string, message: InboundMessage): Promise<void> {
    let row: MessageEntity | null;
    try {
      row = await this.perSession.submit(sessionId, message);
    } catch (err) {
      this.logger.error({ sessionId, waMessageId: message.id, err: (err as Error).message }, 'Storing an inbound message failed; it is not acknowledged');
      throw err;
    }
    if (row?.content.inboundMedia) void this.downloadIfEager(row);
  }

  /** Stores one inbound message; returns null for a duplicate. */
  async store(sessionId: string, m: InboundMessage): Promise<MessageEntity | null> {
    const [row] = await this.storeTogether(sessionId, [m]);
    return row;
  }

  /** One transaction for the batch; when it fails, one transaction per message. */
  private async storeBatch(sessionId: string, messages: InboundMessage[]): Promise<BatchResult<MessageEntity | null>[]> {
    if (messages.length > 1) {
      try {
        return (await this.storeTogether(sessionId, messages)).map((value) => ({ ok: true, value }));
      } catch (err) {
        this.logger.warn({ sessionId, messages: messages.length, err: (err as Error).message }, 'Storing a batch of inbound messages failed; storing them one by one');
      }
    }
    const results: BatchResult<MessageEntity | null>[] = [];
    for (const m of messages) {
      try {
        results.push({ ok: true, value: await this.store(sessionId, m) });
      } catch (error) {
        results.push({ ok: false, error });
      }
    }
    return results;
  }

  /** Stores messages in one transaction, in order; null for each duplicate. Events go out after the commit. */
  private async storeTogether(sessionId: string, messages: InboundMessage[]): Promise<(MessageEntity | null)[]> {
    const rows = await this.db.transaction(async (tx) => {
      const ids: (string | null)[] = [];
      for (const m of messages) ids.push(await this.insert(tx, sessionId, m));
      const stored = await this.repo.findManyWith(tx, ids.filter((id): id is string => id !== null));
      const rowsInOrder = ids.map((id) => (id ? stored.get(id)! : null));
      // One outbox write for the batch: its events keep the messages' order.
      const events = rowsInOrder.filter((r): r is MessageEntity => r !== null).map((r) => ({ type: 'message.received' as const, sessionId, data: { message: toMessageDto(r) } }));
      if (events.length) await this.outbox?.publishAll(events, tx);
      return rowsInOrder;
    });
    const at = new Date().toISOString();
    for (const row of rows) if (row) this.bus.emit({ type: 'message.received', sessionId, data: { message: toMessageDto(row) }, at });
    return rows;
  }

  /**
   * Inserts one message with its sender's contact; returns the new row's id, null for a
   * duplicate. clock_timestamp(), not now(): messages stored in one transaction keep distinct,
   * ordered times.
   */
  private async insert(tx: EntityManager, sessionId: string, m: InboundMessage): Promise<string | null> {
    const content = toContent(m);
    const rows: Record<string, unknown>[] = await tx.query(
      `INSERT INTO message (session_id, direction, wa_message_id, chat_jid, sender_jid, type, content, status, status_history,
                            attempts, next_attempt_at, created_at)
       VALUES ($1, 'inbound', $2, $3, $4, $5, $6::jsonb, 'RECEIVED',
               jsonb_build_array(jsonb_build_object('status', 'RECEIVED', 'at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
               0, now(), clock_timestamp())
       ON CONFLICT (session_id, direction, wa_message_id) DO NOTHING
       RETURNING id`,
      [sessionId, m.id, m.chatJid, m.senderJid, m.type, JSON.stringify(content)],
    );
    if (!rows.length) return null;
    if (!m.chatJid.endsWith('@g.us') || m.senderPhone) {
      await this.contacts.recordSender(tx, sessionId, m.senderJid, m.senderPhone, m.pushName);
    }
    return rows[0].id as string;
  }

  /** With `mediaDownload: eager`, fetches the media of a just-stored message (off the acknowledgement path). */
  private async downloadIfEager(row: MessageEntity): Promise<void> {
    try {
      const settings = await this.sessions.settingsOf(row.sessionId);
      if (settings.mediaDownload === 'eager') await this.downloadMedia(row);
    } catch (err) {
      this.logger.warn({ sessionId: row.sessionId, messageId: row.id, err: (err as Error).message }, 'Eager media download failed; it stays available on request');
    }
  }

  /**
   * The stored media of an inbound message, downloading it from WhatsApp first when needed.
   * @throws SessionNotReadyError when a download needs the session and it is not connected
   */
  async downloadMedia(message: MessageEntity): Promise<string> {
    if (message.mediaId) return message.mediaId;
    const pending = message.content.inboundMedia!;
    const engine = await this.registry.getReady(message.sessionId);
    const data = await engine.downloadMedia(pending.ref);
    const stored = await this.media.upload(data, pending.fileName ?? null);
    await this.repo.attachMedia(message.id, stored.id);
    return stored.id;
  }
}

function toContent(m: InboundMessage): MessageContent {
  const content: MessageContent = {};
  if (m.text) content.text = m.text;
  if (m.caption) content.caption = m.caption;
  if (m.pushName) content.pushName = m.pushName;
  if (m.quotedId) content.quotedId = m.quotedId;
  if (m.forwarded) content.forwarded = m.forwarded;
  if (m.location) content.location = { latitude: m.location.latitude, longitude: m.location.longitude, ...(m.location.name ? { name: m.location.name } : {}), ...(m.location.address ? { address: m.location.address } : {}) };
  if (m.contact) content.contact = m.contact;
  if (m.reaction) content.reaction = { emoji: m.reaction.emoji, target: { id: m.reaction.targetId, chatJid: m.chatJid, fromMe: true } };
  if (m.media) {
    content.mimetype = m.media.mimetype;
    if (m.media.fileName) content.fileName = m.media.fileName;
    content.inboundMedia = { ...m.media };
  }
  return content;
}

