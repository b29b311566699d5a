import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import type { MediaEntity } from '../media/entities/media.entity';
import type { MediaKind } from '../media/media-kind';
import { MediaService, type MediaSource } from '../media/media.service';
import type { SessionEntity } from '../sessions/entities/session.entity';
import { SessionAccess } from '../sessions/session-access';
import { SessionRegistry } from '../sessions/session-registry';
import { SessionStatus } from '../sessions/session-status';
import type { MessageRef } from '../whatsapp/engine/outgoing-message';
import { TtsService } from '../tts/tts.service';
import { Dispatcher } from './dispatcher';
import { InboundService } from './inbound.service';
import type { ListMessagesQueryDto, MessageDto, NumberCheckDto } from './dto/message.dto';
import type { SendMessageDto } from './dto/send-message.dto';
import type { MessageEntity } from './entities/message.entity';
import { MEDIA_TYPES, type MessageContent } from './message-content';
import { newWaMessageId } from './message-id';
import { MessageStatus, RESENDABLE } from './message-status';
import { toMessageDto } from './message.mapper';
import { asMessageNumber, MessagesRepository, type MessageFlowFigures, type QueueFigures } from './messages.repository';
import { toRecipient, type Recipient } from './recipient';
import { buildVcard, isVcardText, splitVcards, vcardFormattedName } from './vcard';
import { decodeSeqCursor, encodeSeqCursor } from '../common/utils/seq-cursor';

export type { MessageFlowFigures, QueueFigures };

export interface UploadedFile {
  buffer: Buffer;
  originalname?: string;
  mimetype?: string;
}

export interface SendResult {
  message: MessageEntity;
  /** True when an earlier message with the same idempotency key was returned. */
  replayed: boolean;
}

/**
 * The native send path: validates, resolves the session and recipient, prepares media and
 * inserts the message as QUEUED. The dispatcher does the sending. Also history, resend,
 * cancel, typing and number checks.
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly repo: MessagesRepository,
    private readonly registry: SessionRegistry,
    private readonly access: SessionAccess,
    private readonly media: MediaService,
    private readonly dispatcher: Dispatcher,
    private readonly tts: TtsService,
    private readonly inbound: InboundService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Accepts a message for sending.
   * `opts.authorizedMediaId`: a stored media id the caller already checked for this principal
   * (the Cloud API facade's uploads).
   * @throws SessionNotFoundError, ForbiddenError, AppError SESSION_NOT_LINKED (403),
   *   RECIPIENT_INVALID, VALIDATION_FAILED, MEDIA_* (4xx), NOT_IMPLEMENTED (TTS not configured)
   */
  async send(principal: Principal, dto: SendMessageDto, file?: UploadedFile, headerKey?: string, opts: { authorizedMediaId?: string } = {}): Promise<SendResult> {
    let session = await this.access.authorize(principal, dto.sessionId);
    if (dto.mediaId && dto.mediaId !== opts.authorizedMediaId) await this.assertMediaUsable(principal, dto.mediaId);
    // The resolution cache may be a moment behind a link that just completed: refusing needs the current row.
    if (!isLinked(session)) session = await this.registry.getFresh(session.id);
    assertLinked(session);
    const idempotencyKey = dto.idempotencyKey ?? headerKey ?? null;
    if (idempotencyKey) {
      const existing = await this.repo.findByIdempotencyKey(session.id, idempotencyKey);
      if (existing) return { message: existing, replayed: true };
    }
    const recipient = this.recipient(dto.to, 'to');
    const { content, media } = await this.buildContent(session, recipient, dto, file);
    const row = await this.repo.insertOutbound({
      sessionId: session.id,
      waMessageId: newWaMessageId(),
      chatJid: recipient.jid,
      recipientInput: dto.to,
      type: dto.type,
      content,
      mediaId: media?.id ?? null,
      expiresAt: new Date(Date.now() + this.config.queue.messageTtlMs),
      idempotencyKey,
    });
    if (!row) {
      // Lost a race with a concurrent request carrying the same idempotency key.
      const existing = idempotencyKey ? await this.repo.findByIdempotencyKey(session.id, idempotencyKey) : null;
      if (!existing) throw new AppError(ErrorCode.IDEMPOTENCY_CONFLICT, 'A conflicting message was accepted concurrently');
      return { message: existing, replayed: true };
    }
    this.dispatcher.accepted(row);
    this.dispatcher.notify(session.id);
    return { message: row, replayed: false };
  }

  /**
   * Stored media is shared by content hash, so its id alone proves nothing: a session- or
   * workspace-bound caller may send by `mediaId` only media a message of its sessions used.
   * Unknown and foreign ids get the same answer.
   * @throws AppError MEDIA_INVALID
   */
  private async assertMediaUsable(principal: Principal, mediaId: string): Promise<void> {
    const sessionIds = await this.access.visibleSessionIds(principal);
    if (sessionIds === null || (await this.repo.isMediaUsedBy(mediaId, sessionIds))) return;
    throw new AppError(ErrorCode.MEDIA_INVALID, `No media with id '${mediaId}'`, { mediaId });
  }

  /**
   * Queues a text Switchboard sends on its own behalf (opt-in conversation, call replies),
   * through the same durable queue as every other message.
   */
  async sendSystemText(sessionId: string, chatJid: string, text: string, system: 'opt-in' | 'call-reply'): Promise<MessageEntity | null> {
    const row = await this.repo.insertOutbound({
      sessionId,
      waMessageId: newWaMessageId(),
      chatJid,
      recipientInput: chatJid,
      type: 'text',
      content: { text, system },
      mediaId: null,
      expiresAt: new Date(Date.now() + this.config.queue.messageTtlMs),
      idempotencyKey: null,
    });
    if (row) this.dispatcher.accepted(row);
    this.dispatcher.notify(sessionId);
    return row;
  }

  async list(principal: Principal, query: ListMessagesQueryDto): Promise<{ messages: MessageDto[]; limit: number; nextCursor?: string | null; page?: number; total?: number }> {
    const limit = query.limit ?? 50;
    const sessionIds = (await this.access.visibleSessionIds(principal, query.sessionId)) ?? undefined;
    if (sessionIds && !sessionIds.length) return { messages: [], limit, nextCursor: null };
    const chat = query.chat ? this.recipient(query.chat, 'chat').jid : undefined;
    const filter = {
      sessionIds,
      chatJid: chat,
      direction: query.direction,
      status: query.status,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      limit,
    };
    if (query.page) {
      const { rows, total } = await this.repo.list({ ...filter, offset: (query.page - 1) * limit });
      return { messages: rows.map((m) => toMessageDto(m)), limit, page: query.page, total };
    }
    const beforeSeq = query.cursor ? decodeSeqCursor('s', query.cursor) : undefined;
    const { rows } = await this.repo.list({ ...filter, beforeSeq });
    const nextCursor = rows.length === limit ? encodeSeqCursor('s', rows[rows.length - 1].seq) : null;
    return { messages: rows.map((m) => toMessageDto(m)), limit, nextCursor };
  }

  /**
   * One message by id (uuid) or number. @throws AppError MESSAGE_NOT_FOUND, ForbiddenError (an
   * id of another session's message; a number of one is MESSAGE_NOT_FOUND)
   */
  async get(principal: Principal, id: string | number): Promise<MessageDto> {
    const message = await this.getOwned(principal, id);
    const media = message.mediaId ? await this.media.get(message.mediaId) : null;
    return toMessageDto(message, media);
  }

  /**
   * A message of an already authorized session, named by our id or its WhatsApp id (the newest
   * row when both directions share the id); null when the session has none.
   */
  findByRef(sessionId: string, ref: string): Promise<MessageEntity | null> {
    return this.repo.findByRef(sessionId, ref);
  }

  /**
   * A message by its number, among the sessions `principal` may see; null when there is none
   * there (another session's message is not revealed, not even as forbidden).
   */
  async findByNumber(principal: Principal, number: number): Promise<MessageEntity | null> {
    const sessionIds = await this.access.visibleSessionIds(principal);
    return this.repo.findByNumber(number, sessionIds);
  }

  /** Messages of the last 24 hours and the queue's depth, for `sessionIds` (all when null). */
  flowFigures(sessionIds: string[] | null): Promise<MessageFlowFigures> {
    return this.repo.flowFigures(sessionIds);
  }

  /** The queue's depth and the age of its oldest waiting message, over all sessions (metrics). */
  queueFigures(): Promise<QueueFigures> {
    return this.repo.queueFigures();
  }

  /**
   * The media bytes of a message; inbound media not downloaded yet is fetched from WhatsApp.
   * @throws AppError MESSAGE_NOT_FOUND (also when the message has no media), SESSION_NOT_READY
   */
  async mediaOf(principal: Principal, id: string): Promise<{ data: Buffer; mimetype: string; fileName: string | null }> {
    const media = await this.storedMediaOf(principal, id);
    return { data: await this.media.read(media), mimetype: media.mimetype, fileName: media.fileName };
  }

  /**
   * The stored media row of a message (hash, size, type), downloading inbound media from
   * WhatsApp first if it was not fetched yet. @throws AppError MESSAGE_NOT_FOUND, ForbiddenError
   */
  async storedMediaOf(principal: Principal, id: string): Promise<MediaEntity> {
    const message = await this.getOwned(principal, id);
    const mediaId = message.mediaId ?? (message.content.inboundMedia ? await this.inbound.downloadMedia(message) : null);
    const media = mediaId ? await this.media.get(mediaId) : null;
    if (!media) throw new AppError(ErrorCode.MESSAGE_NOT_FOUND, `Message '${id}' has no media`);
    return media;
  }

  /**
   * FAILED, OPTED_OUT, EXPIRED or CANCELED → QUEUED again (same WhatsApp id); `id` is the uuid or
   * the number. @throws AppError MESSAGE_NOT_FOUND, MESSAGE_NOT_RESENDABLE, ForbiddenError
   */
  async resend(principal: Principal, id: string | number): Promise<MessageDto> {
    const message = await this.getOwned(principal, id);
    if (message.direction !== 'outbound' || !RESENDABLE.includes(message.status)) {
      throw new AppError(ErrorCode.MESSAGE_NOT_RESENDABLE, `A ${message.status} message cannot be resent`, { status: message.status });
    }
    // The status change and its message.status event in one transaction.
    const expiresAt = new Date(Date.now() + this.config.queue.messageTtlMs);
    const [row] = await this.dispatcher.changeStatus(async (m) => {
      const requeued = await this.repo.requeue(message.id, expiresAt, m);
      return requeued ? [requeued] : [];
    });
    if (!row) throw new AppError(ErrorCode.MESSAGE_NOT_RESENDABLE, 'The message changed state meanwhile; fetch it again');
    this.dispatcher.notify(row.sessionId);
    return toMessageDto(row);
  }

  /** Cancels a message that is still QUEUED (held ones too); `id` is the uuid or the number. */
  async cancel(principal: Principal, id: string | number): Promise<MessageDto> {
    const message = await this.getOwned(principal, id);
    const [row] = await this.dispatcher.changeStatus(async (m) => {
      const canceled = await this.repo.cancel(message.id, m);
      return canceled ? [canceled] : [];
    });
    if (!row) {
      throw new AppError(ErrorCode.MESSAGE_NOT_CANCELABLE, `Only queued messages can be canceled; this one is ${message.status}`, {
        status: message.status,
      });
    }
    return toMessageDto(row);
  }

  async typing(session: SessionEntity, to: string, isTyping: boolean): Promise<void> {
    const recipient = this.recipient(to, 'to');
    const engine = await this.registry.getReady(session.id);
    await engine.sendPresence(recipient.jid, isTyping ? 'composing' : 'paused').catch((err: Error) => {
      throw new AppError(ErrorCode.ENGINE_ERROR, `Could not send the typing indicator: ${err.message}`, undefined, { cause: err });
    });
  }

  async checkNumbers(session: SessionEntity, numbers: string[]): Promise<NumberCheckDto[]> {
    const parsed = numbers.map((input) => ({ input, recipient: toRecipient(input, this.config.whatsapp.defaultCountry) }));
    const valid = parsed.filter((p) => p.recipient?.phoneNumber).map((p) => p.recipient!.phoneNumber!);
    const engine = await this.registry.getReady(session.id);
    const checks = valid.length
      ? await engine.checkNumbers([...new Set(valid)]).catch((err: Error) => {
          throw new AppError(ErrorCode.ENGINE_ERROR, `Could not check the numbers: ${err.message}`, undefined, { cause: err });
        })
      : [];
    return parsed.map(({ input, recipient }) => {
      if (!recipient?.phoneNumber) return { input, number: null, jid: null, exists: false, error: 'not a phone number' };
      const check = checks.find((c) => c.input === recipient.phoneNumber);
      return { input, number: recipient.phoneNumber, jid: check?.jid ?? null, exists: Boolean(check?.exists) };
    });
  }

  /** By uuid (authorized: ForbiddenError for another session's) or by number (only among the visible sessions). */
  private async getOwned(principal: Principal, id: string | number): Promise<MessageEntity> {
    const number = typeof id === 'number' ? id : asMessageNumber(id);
    if (number !== null) {
      const byNumber = await this.findByNumber(principal, number);
      if (!byNumber) throw new AppError(ErrorCode.MESSAGE_NOT_FOUND, `Message '${id}' was not found`);
      return byNumber;
    }
    const message = /^[0-9a-f-]{36}$/i.test(id as string) ? await this.repo.findById(id as string) : null;
    if (!message) throw new AppError(ErrorCode.MESSAGE_NOT_FOUND, `Message '${id}' was not found`);
    await this.access.authorize(principal, message.sessionId);
    return message;
  }

  private recipient(input: string, field: string): Recipient {
    const recipient = toRecipient(input, this.config.whatsapp.defaultCountry);
    if (!recipient) {
      throw new AppError(ErrorCode.RECIPIENT_INVALID, `${field} is neither a phone number with country code nor a WhatsApp JID`, {
        fields: [{ field, messages: [`${field} must be a phone number (e.g. 919846303025) or a JID (…@s.whatsapp.net, …@g.us, …@lid)`] }],
      });
    }
    return recipient;
  }

  private async buildContent(
    session: SessionEntity,
    recipient: Recipient,
    dto: SendMessageDto,
    file?: UploadedFile,
  ): Promise<{ content: MessageContent; media: MediaEntity | null }> {
    const content: MessageContent = {};
    if (dto.mentions?.length) content.mentions = dto.mentions.map((m) => this.recipient(m, 'mentions').jid);
    if (dto.quotedMessageId && dto.type !== 'reaction') content.quoted = await this.messageRef(session.id, dto.quotedMessageId, 'quotedMessageId');
    switch (dto.type) {
      case 'text':
        content.text = required(dto.text, 'text', 'a text message needs text');
        return { content, media: null };
      case 'location':
        if (!dto.location) throw missing('location', 'a location message needs location {latitude, longitude}');
        content.location = { ...dto.location };
        return { content, media: null };
      case 'contact':
        content.contact = this.contactCard(dto);
        return { content, media: null };
      case 'reaction': {
        const target = required(dto.quotedMessageId, 'quotedMessageId', 'a reaction needs the message it reacts to in quotedMessageId');
        content.reaction = { emoji: dto.text ?? '', target: await this.messageRef(session.id, target, 'quotedMessageId') };
        if (content.reaction.target.chatJid !== recipient.jid) {
          throw missing('quotedMessageId', 'the reacted-to message belongs to another chat');
        }
        return { content, media: null };
      }
      default: {
        const source = mediaSource(dto, file);
        if (!source && dto.type === 'voice' && dto.text) return this.ttsVoiceNote(dto, content);
        if (!source) throw missing('url', `a ${dto.type} message needs media: a multipart file, url or data`);
        if (MEDIA_TYPES.includes(dto.type)) {
          const media = await this.media.prepare(dto.type as MediaKind, source);
          if (dto.caption) content.caption = dto.caption;
          content.mimetype = media.mimetype;
          if (dto.type === 'pdf' || dto.type === 'document') content.fileName = dto.fileName ?? media.fileName ?? 'document';
          return { content, media };
        }
        throw missing('type', `unsupported type ${dto.type}`);
      }
    }
  }

  /**
   * A voice note spoken from `text`: validated now (422 for bad voice, speed or length), and
   * synthesized by the queue, which retries transient provider failures.
   */
  private async ttsVoiceNote(dto: SendMessageDto, content: MessageContent): Promise<{ content: MessageContent; media: MediaEntity | null }> {
    const resolved = await this.tts.resolve({ text: dto.text!, voice: dto.voice, speed: dto.speed, instructions: dto.instructions });
    content.text = resolved.text;
    content.tts = {
      text: resolved.text,
      voice: resolved.voice,
      speed: resolved.speed,
      cacheKey: resolved.cacheKey,
      provider: resolved.provider,
      model: resolved.model,
      ...(resolved.instructions ? { instructions: resolved.instructions } : {}),
    };
    return { content, media: null };
  }

  private contactCard(dto: SendMessageDto): MessageContent['contact'] {
    if (dto.vcard) {
      if (!isVcardText(dto.vcard)) throw missing('vcard', 'vcard must be a complete vCard (BEGIN:VCARD … END:VCARD)');
      // Several concatenated cards are sent as one contacts-array message (Cloud API `contacts`).
      const vcards = splitVcards(dto.vcard);
      return { displayName: vcards.length > 1 ? `${vcards.length} contacts` : (vcardFormattedName(dto.vcard) ?? 'Contact'), vcards };
    }
    if (!dto.contact) throw missing('contact', 'a contact message needs contact {name, phone} or vcard');
    const phone = this.recipient(dto.contact.phone, 'contact.phone').phoneNumber;
    if (!phone) throw missing('contact.phone', 'contact.phone must be a phone number');
    const { name, organization, email } = dto.contact;
    const vcard = buildVcard({
      formattedName: name,
      org: organization ? { company: organization } : undefined,
      phones: [{ number: `+${phone}`, waId: phone, types: ['CELL', 'VOICE'] }],
      emails: email ? [{ address: email }] : [],
    });
    return { displayName: name, vcards: [vcard] };
  }

  private async messageRef(sessionId: string, ref: string, field: string): Promise<MessageRef> {
    const target = await this.repo.findByRef(sessionId, ref);
    if (!target) throw missing(field, `no message '${ref}' in this session`);
    return {
      id: target.waMessageId,
      chatJid: target.chatJid,
      fromMe: target.direction === 'outbound',
      participant: target.direction === 'inbound' && target.senderJid !== target.chatJid ? target.senderJid : null,
      text: target.content.text ?? target.content.caption ?? null,
    };
  }
}

/**
 * The connections manager: sending before the QR is approved is refused. A linked session that is only
 * reconnecting accepts messages; they wait in the queue.
 */
function isLinked(session: SessionEntity): boolean {
  const unlinked = !session.mobileNumber || session.status === SessionStatus.LOGGED_OUT;
  const deleted = session.status === SessionStatus.INACTIVE && session.lastError === 'DELETED';
  return !unlinked && !deleted;
}

function assertLinked(session: SessionEntity): void {
  if (!isLinked(session)) {
    throw new AppError(ErrorCode.SESSION_NOT_LINKED, `Session '${session.id}' is not linked to a WhatsApp account (status ${session.status})`, {
      sessionId: session.id,
      status: session.status,
    });
  }
}

function mediaSource(dto: SendMessageDto, file?: UploadedFile): MediaSource | null {
  const given = [file ? 'file' : null, dto.url ? 'url' : null, dto.data ? 'data' : null, dto.mediaId ? 'mediaId' : null].filter(Boolean);
  if (given.length > 1) throw missing(given[1]!, 'give the media once: a multipart file, url, data or mediaId');
  if (dto.mediaId) return { mediaId: dto.mediaId, fileName: dto.fileName ?? null };
  if (file) return { buffer: file.buffer, fileName: dto.fileName ?? file.originalname ?? null };
  if (dto.url) return { url: dto.url, fileName: dto.fileName ?? null };
  if (dto.data) return { base64: dto.data, fileName: dto.fileName ?? null };
  return null;
}

function missing(field: string, message: string): AppError {
  return new AppError(ErrorCode.VALIDATION_FAILED, `Validation failed: ${field}: ${message}`, { fields: [{ field, messages: [message] }] });
}

function required(value: string | undefined, field: string, message: string): string {
  if (value === undefined || value === '') throw missing(field, message);
  return value;
}
