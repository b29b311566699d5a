import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { KeyedMutex } from '../../common/utils/keyed-mutex';
import { AppConfig } from '../../config/app-config';
import { ContactsService } from '../../contacts/contacts.service';
import type { ContactDto } from '../../contacts/dto/contact.dto';
import { GroupsService } from '../../groups/groups.service';
import type { MessageDto } from '../../messages/dto/message.dto';
import type { SendMessageDto as NativeSendDto } from '../../messages/dto/send-message.dto';
import { toMessageDto } from '../../messages/message.mapper';
import { MessagesService, type UploadedFile } from '../../messages/messages.service';
import type { SessionEntity } from '../../sessions/entities/session.entity';
import { SessionAccess } from '../../sessions/session-access';
import { SessionRegistry } from '../../sessions/session-registry';
import { SessionResolver } from '../../sessions/session-resolver';
import { SessionStatus } from '../../sessions/session-status';
import { SessionsService } from '../../sessions/sessions.service';
import type { GroupInfo } from '../../whatsapp/engine/whatsapp-engine.port';
import { CompatPhoneEntity } from './entities/compat-phone.entity';
import { mediaKindOf, listAsText, type PhonesMediaKind } from './phones-message';
import type { AddPhoneDto, MessageOptionsDto, PhoneDto, SendMessageDto } from './phones.dto';
import { parseCountry, phoneDigits, recipientJid } from './phone-rules';

export type PhoneStatus = 'not_connected' | 'pairing' | 'connecting' | 'connected' | 'disconnected' | 'logged_out';

export interface Paged {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

/**
 * The phones manager API's phones: each row is a number the client manages; `connect` links
 * it through one native session, and every message, typing indicator, number check, history,
 * group and contact read goes through the native services of that session.
 */
@Injectable()
export class PhonesService {
  /** Serializes adds (the quota check with its insert) and each phone's connect, in this process. */
  private readonly mutex = new KeyedMutex();

  constructor(
    @InjectRepository(CompatPhoneEntity) private readonly phones: Repository<CompatPhoneEntity>,
    private readonly sessions: SessionsService,
    private readonly resolver: SessionResolver,
    private readonly access: SessionAccess,
    private readonly registry: SessionRegistry,
    private readonly messages: MessagesService,
    private readonly groups: GroupsService,
    private readonly contacts: ContactsService,
    private readonly config: AppConfig,
  ) {}

  // ------------------------------------------------------------------ phones

  async list(): Promise<{ phones: PhoneDto[]; quota: { used: number; limit: number | null }; allowedMedia: string[] }> {
    const rows = await this.phones.find({ order: { createdAt: 'ASC' } });
    const phones = await Promise.all(rows.map((r) => this.toDto(r)));
    const { quota, allowedMedia } = this.config.phones;
    return { phones, quota: { used: rows.length, limit: quota || null }, allowedMedia };
  }

  /** @throws AppError VALIDATION_FAILED (400), PHONE_EXISTS (409), QUOTA_EXCEEDED (403) */
  add(dto: AddPhoneDto): Promise<PhoneDto> {
    return this.mutex.run('add', () => this.addNow(dto));
  }

  private async addNow(dto: AddPhoneDto): Promise<PhoneDto> {
    if (dto.country !== undefined && !parseCountry(dto.country)) {
      throw invalid('country', 'country must be an ISO 3166 alpha-2 code (IN) or a calling code (91)');
    }
    const phone = phoneDigits(dto.phone, dto.country);
    if (!phone) {
      throw invalid('phone', dto.country ? `phone is not a valid number for country ${dto.country}` : 'phone must be a number with country code (7 to 15 digits)');
    }
    if (await this.phones.existsBy({ phone })) throw new AppError(ErrorCode.PHONE_EXISTS, `Phone ${phone} was already added`, { phone });
    const quota = this.config.phones.quota;
    if (quota > 0 && (await this.phones.count()) >= quota) {
      throw new AppError(ErrorCode.QUOTA_EXCEEDED, `The phone quota (${quota}) is used up; delete a phone or raise PHONES_QUOTA`, { quota });
    }
    const inserted = await this.phones
      .createQueryBuilder()
      .insert()
      .values({ phone, country: dto.country?.trim() ?? null, sessionId: null })
      .orIgnore()
      .returning('*')
      .execute();
    if (!inserted.raw.length) throw new AppError(ErrorCode.PHONE_EXISTS, `Phone ${phone} was already added`, { phone });
    return this.toDto(await this.get(phone));
  }

  /** Logs the phone's session out (unlinking the device) and removes the phone. */
  async remove(ref: string): Promise<void> {
    const row = await this.get(ref);
    const session = row.sessionId ? await this.resolver.findEntity(row.sessionId) : null;
    if (session) await this.sessions.remove(session);
    await this.phones.delete({ id: row.id });
  }

  /**
   * Starts linking the phone: a new native session (method `qr`, or `phone` with a pairing code
   * for this number), or the existing one restarted. Waits up to QR_WAIT_TIMEOUT_MS for the
   * first QR or pairing code. A linked phone just reconnects.
   * @throws AppError QR_NOT_AVAILABLE (409) when none came in time
   */
  async connect(principal: Principal, ref: string, pairingCodeMode: boolean): Promise<Record<string, unknown>> {
    const { id } = await this.get(ref);
    return this.mutex.run(`connect:${id}`, () => this.connectNow(principal, ref, pairingCodeMode));
  }

  private async connectNow(principal: Principal, ref: string, pairingCodeMode: boolean): Promise<Record<string, unknown>> {
    const row = await this.get(ref);
    const method = pairingCodeMode ? 'phone' : 'qr';
    let session = row.sessionId ? await this.resolver.findEntity(row.sessionId) : null;
    if (session && isDeleted(session)) session = null;
    if (session && isLinked(session)) {
      await this.registry.start(session.id);
      const state = await this.registry.waitFor(session.id, (s) => s?.status === SessionStatus.READY, this.config.whatsapp.qrWaitTimeoutMs);
      return { phone: row.phone, status: statusOf(session, state?.status ?? null) };
    }
    if (session && session.method !== method) {
      await this.sessions.remove(session);
      session = null;
    }
    if (!session) {
      session = await this.sessions.create(principal, { name: `phones ${row.phone}`, method, ...(method === 'phone' ? { phoneNumber: `+${row.phone}` } : {}) });
      await this.phones.update({ id: row.id }, { sessionId: session.id });
    }
    const qr = await this.sessions.qr(session, 'json');
    if (qr.kind !== 'json') throw new Error('unreachable');
    const { qr: code, qrCodeDataUrl, pairingCode, status } = qr.body as { qr?: string; qrCodeDataUrl?: string; pairingCode?: string; status: SessionStatus };
    return {
      phone: row.phone,
      status: statusOf(session, status),
      method,
      ...(pairingCode ? { pairingCode } : {}),
      ...(code ? { qr: code, qrCodeDataUrl } : {}),
    };
  }

  /** Closes the connection, keeping the link (connect reconnects without a QR). */
  async disconnect(ref: string): Promise<PhoneDto> {
    const row = await this.get(ref);
    const session = row.sessionId ? await this.resolver.findEntity(row.sessionId) : null;
    if (session && !isDeleted(session)) await this.sessions.apply(session, 'stop');
    return this.toDto(row);
  }

  // ------------------------------------------------------------------ messaging

  /**
   * Queues a message through the native send path.
   * @throws AppError RECIPIENT_INVALID, MEDIA_NOT_ALLOWED (415), VALIDATION_FAILED, SESSION_NOT_LINKED, MEDIA_*
   */
  async send(principal: Principal, ref: string, dto: SendMessageDto, file?: UploadedFile): Promise<{ message: MessageDto; replayed: boolean; phone: string }> {
    const row = await this.get(ref);
    const session = await this.sessionOf(principal, row);
    const to = recipientJid(dto.recipient, dto.country, dto.jid);
    const options: MessageOptionsDto = dto.messageOptions ?? {};
    const native: NativeSendDto = { sessionId: session.id, to, type: 'text' } as NativeSendDto;
    const quoted = str(options.quoted ?? options.quotedMessageId, 'messageOptions.quoted');
    if (quoted) native.quotedMessageId = quoted;
    if (options.mentions !== undefined) {
      if (!Array.isArray(options.mentions) || options.mentions.some((m) => typeof m !== 'string')) throw invalid('messageOptions.mentions', 'mentions must be a list of numbers or JIDs');
      native.mentions = options.mentions;
    }
    const key = str(options.idempotencyKey, 'messageOptions.idempotencyKey');
    if (key) native.idempotencyKey = key;

    const given = [file ? 'media' : null, dto.media ? 'media' : null, dto.mediaLink ? 'mediaLink' : null].filter(Boolean);
    if (given.length > 1) throw invalid(given[1]!, 'give the media once: mediaLink, a media file or base64 media');
    if (given.length) {
      const kind = await mediaKindOf({ file, base64: dto.media, link: dto.mediaLink, declared: str(options.mimetype, 'messageOptions.mimetype') });
      this.assertMediaAllowed(kind);
      native.type = kind;
      if (file) native.fileName = file.originalname;
      if (dto.media) native.data = dto.media;
      if (dto.mediaLink) native.url = dto.mediaLink;
      const caption = str(options.caption, 'messageOptions.caption') ?? dto.message;
      if (caption && kind !== 'audio') native.caption = caption;
      const fileName = str(options.fileName, 'messageOptions.fileName');
      if (fileName) native.fileName = fileName;
    } else if (dto.list !== undefined) {
      native.text = listAsText(dto.list, dto.message);
    } else {
      if (!dto.message) throw invalid('message', 'message is required (or give mediaLink, media or list)');
      native.text = dto.message;
    }
    const { message, replayed } = await this.messages.send(principal, native, file);
    return { message: toMessageDto(message), replayed, phone: row.phone };
  }

  async typing(principal: Principal, ref: string, recipient: string, country: string | undefined, isTyping: boolean): Promise<{ recipient: string; isTyping: boolean }> {
    const session = await this.sessionOf(principal, await this.get(ref));
    const jid = recipientJid(recipient, country);
    await this.messages.typing(session, jid, isTyping);
    return { recipient: jid, isTyping };
  }

  async hasWhatsapp(principal: Principal, ref: string, recipient: string, country?: string): Promise<{ recipient: string; exists: boolean; jid: string | null }> {
    const session = await this.sessionOf(principal, await this.get(ref));
    const jid = recipientJid(recipient, country);
    const user = /^(\d+)@s\.whatsapp\.net$/.exec(jid)?.[1];
    if (!user) throw invalid('recipient', 'has-whatsapp checks phone numbers, not group or LID JIDs');
    const [check] = await this.messages.checkNumbers(session, [`+${user}`]);
    return { recipient: jid, exists: check.exists, jid: check.jid };
  }

  /** The phone's messages, newest first, by page; `recipient` narrows to one chat. */
  async history(principal: Principal, ref: string, q: { page?: number; limit?: number; recipient?: string; country?: string }): Promise<{ messages: MessageDto[]; pagination: Paged }> {
    const row = await this.get(ref);
    const page = q.page ?? 1;
    const limit = q.limit ?? 50;
    if (!row.sessionId) return { messages: [], pagination: paged(page, limit, 0) };
    const chat = q.recipient ? recipientJid(q.recipient, q.country) : undefined;
    const result = await this.messages.list(principal, { sessionId: row.sessionId, chat, page, limit });
    return { messages: result.messages, pagination: paged(page, limit, result.total ?? 0) };
  }

  // ------------------------------------------------------------------ groups and contacts

  async groupList(principal: Principal, ref: string, refresh: boolean): Promise<{ groups: GroupInfo[]; cachedAt: string; fromCache: boolean }> {
    return this.groups.list(await this.sessionOf(principal, await this.get(ref)), refresh);
  }

  async group(principal: Principal, ref: string, groupId: string, refresh: boolean): Promise<GroupInfo> {
    return this.groups.get(await this.sessionOf(principal, await this.get(ref)), groupId, refresh);
  }

  /** Contacts of every phone (or one), each with the phone that knows it; by page. */
  async contactList(principal: Principal, opts: { phone?: string; page?: number; limit?: number }): Promise<{ contacts: (ContactDto & { phone: string })[]; pagination: Paged }> {
    const rows = opts.phone ? [await this.get(opts.phone)] : await this.phones.find();
    const byId = new Map(rows.filter((r) => r.sessionId).map((r) => [r.sessionId!, r.phone]));
    const page = opts.page ?? 1;
    const limit = opts.limit ?? 50;
    const result = await this.contacts.list(principal, { sessionIds: [...byId.keys()], page, limit });
    return {
      contacts: result.contacts.map((c) => ({ phone: byId.get(c.sessionId) ?? '', ...c })),
      pagination: paged(page, limit, result.total),
    };
  }

  // ------------------------------------------------------------------ helpers

  /** The native session of a phone (by its number as the path gives it), or null: none yet, or no such phone. */
  async sessionIdOf(ref: string): Promise<string | null> {
    return (await this.get(ref).catch(() => null))?.sessionId ?? null;
  }

  /** A phone by its number as the path gives it (`919876543210`, `+919876543210`). @throws AppError PHONE_NOT_FOUND (404) */
  async get(ref: string): Promise<CompatPhoneEntity> {
    const phone = phoneDigits(decodeURIComponentSafe(ref));
    const row = phone ? await this.phones.findOneBy({ phone }) : null;
    if (!row) throw new AppError(ErrorCode.PHONE_NOT_FOUND, `Phone '${ref}' was not found`, { phone: ref });
    return row;
  }

  /** The phone's native session, authorized for the caller. @throws AppError SESSION_NOT_LINKED (403) before connect */
  private async sessionOf(principal: Principal, row: CompatPhoneEntity): Promise<SessionEntity> {
    if (!row.sessionId) {
      throw new AppError(ErrorCode.SESSION_NOT_LINKED, `Phone ${row.phone} is not connected; call connect and link it first`, { phone: row.phone });
    }
    return this.access.authorize(principal, row.sessionId);
  }

  private async toDto(row: CompatPhoneEntity): Promise<PhoneDto> {
    const session = row.sessionId ? await this.resolver.findEntity(row.sessionId) : null;
    const live = session ? this.registry.liveState(session.id) : null;
    const status = session && !isDeleted(session) ? statusOf(session, live?.status ?? null) : 'not_connected';
    return {
      phone: row.phone,
      country: row.country,
      status,
      connected: status === 'connected',
      sessionId: row.sessionId,
      pushName: session?.pushName ?? null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  private assertMediaAllowed(kind: PhonesMediaKind): void {
    const allowed = this.config.phones.allowedMedia;
    if (!allowed.includes(kind)) {
      throw new AppError(ErrorCode.MEDIA_NOT_ALLOWED, `Media of kind ${kind} is not allowed here (allowed: ${allowed.join(', ') || 'none'})`, { kind, allowed });
    }
  }

}

/** The phones manager's status words for a native session status. */
export function statusOf(session: SessionEntity, live: SessionStatus | null): PhoneStatus {
  switch (live ?? session.status) {
    case SessionStatus.READY:
      return 'connected';
    case SessionStatus.REGISTERING:
      return 'pairing';
    case SessionStatus.CONNECTING:
      return 'connecting';
    case SessionStatus.LOGGED_OUT:
      return 'logged_out';
    default:
      return 'disconnected';
  }
}

function isLinked(session: SessionEntity): boolean {
  return Boolean(session.mobileNumber) && session.status !== SessionStatus.LOGGED_OUT;
}

function isDeleted(session: SessionEntity): boolean {
  return session.status === SessionStatus.INACTIVE && session.lastError === 'DELETED';
}

function paged(page: number, limit: number, total: number): Paged {
  return { page, limit, total, totalPages: Math.ceil(total / limit) };
}

function str(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > 4096) throw invalid(field, `${field} must be a string`);
  return value;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function invalid(field: string, message: string): AppError {
  return new AppError(ErrorCode.VALIDATION_FAILED, `Validation failed: ${field}: ${message}`, { fields: [{ field, messages: [message] }] });
}

