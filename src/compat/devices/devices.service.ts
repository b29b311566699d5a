import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request } from 'express';
import { QueryFailedError, Repository } from 'typeorm';
import { CredentialVerifier } from '../../auth/credential-verifier.service';
import { extractCredential } from '../../auth/credentials';
import { Principal } from '../../auth/principal';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { KeyedMutex } from '../../common/utils/keyed-mutex';
import { AppConfig } from '../../config/app-config';
import { ContactsService } from '../../contacts/contacts.service';
import { GroupsService } from '../../groups/groups.service';
import { MediaService } from '../../media/media.service';
import type { SendMessageDto } from '../../messages/dto/send-message.dto';
import type { MessageType } from '../../messages/message-content';
import { MessagesService } from '../../messages/messages.service';
import type { SessionDto } from '../../sessions/dto/session.dto';
import type { SessionEntity } from '../../sessions/entities/session.entity';
import { SessionAccess } from '../../sessions/session-access';
import { SessionStatus } from '../../sessions/session-status';
import { SessionsService } from '../../sessions/sessions.service';
import { WebhooksService } from '../../webhooks/webhooks.service';
import { CompatDeviceEntity } from './compat-device.entity';
import { devicePhoneNumber, deviceRecipientJid } from './device-phone';
import type {
  DeviceDto,
  DevicesQueryDto,
  DeviceStatusResponseDto,
  PageQueryDto,
  SendDto,
  SentMessageDataDto,
  StartDto,
} from './devices.dto';

/** Who acts, on which device and its session. */
export interface DeviceContext {
  principal: Principal;
  device: CompatDeviceEntity;
  session: SessionEntity;
}

function unauthenticated(message = 'A valid apikey header is required'): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, message);
}

function deviceNotFound(): AppError {
  // The token is not echoed: with DEVICES_TOKEN_AUTH it is a credential.
  return new AppError(ErrorCode.SESSION_NOT_FOUND, 'No device with this token; create it with POST /api/start');
}

function invalid(field: string, message: string, code = ErrorCode.VALIDATION_FAILED): AppError {
  return new AppError(code, message, { fields: [{ field, messages: [message] }] });
}

function digestOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The media kind a detected MIME type is sent as. */
export function kindOfMime(mime: string): Extract<MessageType, 'image' | 'video' | 'audio' | 'document'> {
  if (/^image\/(jpeg|png|webp|gif|tiff|avif|heic|heif|bmp)$/.test(mime)) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/') || mime === 'application/ogg') return 'audio';
  return 'document';
}

/**
 * The device-token gateway API over the native services: a device is a named token standing for
 * one native session (this module's `compat_device` row); every call resolves the token to its
 * session and goes through SessionsService, MessagesService (the queue), ContactsService,
 * GroupsService and WebhooksService, exactly as the native API does.
 */
@Injectable()
export class DevicesService {
  /** One `start` per token at a time in this process (the unique columns cover other processes). */
  private readonly starting = new KeyedMutex();

  constructor(
    @InjectRepository(CompatDeviceEntity) private readonly devices: Repository<CompatDeviceEntity>,
    private readonly sessions: SessionsService,
    private readonly access: SessionAccess,
    private readonly messages: MessagesService,
    private readonly contacts: ContactsService,
    private readonly groups: GroupsService,
    private readonly webhooks: WebhooksService,
    private readonly media: MediaService,
    private readonly verifier: CredentialVerifier,
    private readonly config: AppConfig,
  ) {}

  // ------------------------------------------------------------------ credentials and lookup

  /**
   * The token of a request: from the body or the query string (clients differ). Both given
   * must agree.
   * @throws AppError VALIDATION_FAILED (missing or conflicting)
   */
  tokenOf(fromQuery: string | undefined, fromBody: string | undefined): string {
    if (fromQuery !== undefined && fromBody !== undefined && fromQuery !== fromBody) {
      throw invalid('token', 'token is given in the query string and in the body with different values');
    }
    const token = fromBody ?? fromQuery;
    if (!token) throw invalid('token', 'token is required (in the body or the query string)');
    return token;
  }

  /**
   * The caller of a per-device route (DeviceAuthGuard; those routes skip the global guard): the
   * apikey (or any header the global guard reads) when one is sent, checked as that guard does;
   * else, with DEVICES_TOKEN_AUTH, nobody yet (null): the device token alone will do.
   * @throws AppError UNAUTHENTICATED (401), FORBIDDEN (403, a credential of another product API)
   */
  async callerOf(req: Request): Promise<Principal | null> {
    const credential = extractCredential(req);
    if (!credential) {
      if (this.config.devicesApi.tokenAuth) return null;
      throw unauthenticated();
    }
    const principal = await this.verifier.authenticate(credential);
    if (!principal) throw unauthenticated();
    if (principal.api !== null && principal.api !== 'devices') {
      throw new AppError(ErrorCode.FORBIDDEN, `This token was issued for the ${principal.api} API (/compat/${principal.api}) and works only there`);
    }
    return principal;
  }

  /** The device named by `token`, or null. The row is found by the token's digest, the name then compared in constant time. */
  async findDevice(token: string): Promise<CompatDeviceEntity | null> {
    const row = await this.devices.findOneBy({ tokenDigest: digestOf(token) });
    return row && sameToken(row.token, token) ? row : null;
  }

  /**
   * The device and its session for a caller (null: the device token alone, which then acts as a
   * credential bound to that device's session).
   * @throws AppError SESSION_NOT_FOUND (404), FORBIDDEN (403, a bound credential of another session)
   */
  async contextOf(caller: Principal | null, token: string): Promise<DeviceContext> {
    const device = await this.findDevice(token);
    if (!device) throw deviceNotFound();
    const principal = caller ?? new Principal('token', false, null, device.sessionId, null, 'devices');
    const session = await this.access.authorize(principal, device.sessionId);
    return { principal, device, session };
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Creates the device on first use (a native QR session named after the token) or restarts its
   * session; stores reject_call / reject_message into the session's settings (kept when omitted).
   * Creating needs a credential even with DEVICES_TOKEN_AUTH.
   */
  async start(caller: Principal | null, token: string, dto: StartDto): Promise<{ created: boolean; state: string }> {
    return this.starting.run(token, async () => {
      let ctx: DeviceContext;
      let created = false;
      if (await this.findDevice(token)) {
        ctx = await this.contextOf(caller, token);
      } else {
        if (!caller) throw unauthenticated('Creating a device needs the apikey header');
        ctx = await this.create(caller, token);
        created = true;
      }
      const rejectCall = dto.reject_call === undefined ? ctx.device.rejectCall : dto.reject_call.toUpperCase() === 'Y';
      const rejectMessage = dto.reject_message === undefined ? ctx.device.rejectMessage : dto.reject_message || null;
      if (rejectCall !== ctx.device.rejectCall || rejectMessage !== ctx.device.rejectMessage) {
        await this.devices.update({ id: ctx.device.id }, { rejectCall, rejectMessage });
      }
      await this.sessions.updateSettings(ctx.principal, ctx.session, { rejectCalls: rejectCall, rejectMessage });
      const session = created ? await this.sessions.get(ctx.session) : await this.sessions.apply(ctx.session, 'restart');
      return { created, state: session.status };
    });
  }

  private async create(principal: Principal, token: string): Promise<DeviceContext> {
    const session = await this.sessions.create(principal, { name: token, method: 'qr' });
    try {
      const device = await this.devices.save(this.devices.create({ token, tokenDigest: digestOf(token), sessionId: session.id, rejectCall: false, rejectMessage: null }));
      return { principal, device, session };
    } catch (err) {
      // Another process created the same token a moment before: keep its device, drop ours.
      await this.sessions.remove(session);
      if (err instanceof QueryFailedError && (err as { code?: string }).code === '23505') return this.contextOf(principal, token);
      throw err;
    }
  }

  /**
   * The QR as a PNG data URL while linking; the profile (as `status`) once linked. A device
   * pairing by phone number goes back to QR linking.
   */
  async qrcode(ctx: DeviceContext): Promise<{ status: true; qrcode: string } | DeviceStatusResponseDto> {
    let current = await this.sessions.get(ctx.session);
    if (current.status === SessionStatus.READY) return this.profile(current);
    let entity = ctx.session;
    if (current.method === 'phone') entity = await this.sessions.setLinkMethod(entity, 'qr');
    try {
      const qr = await this.sessions.qr(entity, 'json');
      if (qr.kind === 'json' && qr.body.qrCodeDataUrl) return { status: true, qrcode: qr.body.qrCodeDataUrl };
      throw new AppError(ErrorCode.QR_NOT_AVAILABLE, 'No QR is available yet; retry in a few seconds');
    } catch (err) {
      // Linked while we waited for a QR: the answer is the profile.
      if (!(err instanceof AppError) || err.code !== ErrorCode.SESSION_ALREADY_LINKED) throw err;
      current = await this.sessions.get(ctx.session);
      return this.profile(current);
    }
  }

  /**
   * Switches the (unlinked) device to pairing with `phone` and answers the code to enter on it.
   * @throws AppError VALIDATION_FAILED (bad number), SESSION_ALREADY_LINKED (409), QR_NOT_AVAILABLE (409)
   */
  async pairingCode(ctx: DeviceContext, phone: string): Promise<{ status: true; code: string; phone: string }> {
    const digits = devicePhoneNumber(phone);
    if (!digits) throw invalid('phone', 'phone must be country code + digits (7–15 digits), e.g. 628123456789');
    const entity = await this.sessions.setLinkMethod(ctx.session, 'phone', digits);
    const result = await this.sessions.qr(entity, 'json');
    if (result.kind !== 'json' || !result.body.pairingCode) throw new AppError(ErrorCode.QR_NOT_AVAILABLE, 'No pairing code is available yet; retry in a few seconds');
    return { status: true, code: result.body.pairingCode, phone: digits };
  }

  async status(ctx: DeviceContext): Promise<DeviceStatusResponseDto> {
    return this.profile(await this.sessions.get(ctx.session));
  }

  /** Native logout: unlinks the phone, wipes the credentials, keeps the device. */
  async logout(ctx: DeviceContext): Promise<string> {
    return (await this.sessions.apply(ctx.session, 'logout')).status;
  }

  /** Native restart: reconnects with the same credentials (a logged-out device shows a new QR). */
  async reconnect(ctx: DeviceContext): Promise<string> {
    return (await this.sessions.apply(ctx.session, 'restart')).status;
  }

  // ------------------------------------------------------------------ messages, contacts, groups

  /**
   * Queues a text, or media fetched from `file_url` sent as the kind its bytes are (image, video,
   * audio, document; `message` is the caption, sent as a text after an audio, which has none).
   * @throws AppError RECIPIENT_INVALID, VALIDATION_FAILED, SESSION_NOT_LINKED (403), MEDIA_* (4xx)
   */
  async send(ctx: DeviceContext, dto: SendDto): Promise<SentMessageDataDto> {
    const to = deviceRecipientJid(dto.phone);
    if (!to) throw invalid('phone', 'phone must be country code + digits (7–15 digits) or a JID (…@s.whatsapp.net, …@g.us)', ErrorCode.RECIPIENT_INVALID);
    const text = dto.message ?? '';
    if (!dto.file_url && !text.trim()) throw invalid('message', 'message is required without file_url');
    const base = { sessionId: ctx.session.id, to };
    if (!dto.file_url) {
      const { message } = await this.messages.send(ctx.principal, { ...base, type: 'text', text } as SendMessageDto);
      return { id: message.id, message_id: message.waMessageId, status: message.status, to: message.chatJid, type: 'text' };
    }
    const media = await this.media.uploadFromUrl(dto.file_url, dto.file_name ?? null);
    const type = kindOfMime(media.mimetype);
    const caption = type !== 'audio' && text ? text : undefined;
    const { message } = await this.messages.send(
      ctx.principal,
      { ...base, type, mediaId: media.id, caption, fileName: type === 'document' ? (dto.file_name ?? media.fileName ?? undefined) : undefined } as SendMessageDto,
      undefined,
      undefined,
      { authorizedMediaId: media.id },
    );
    if (type === 'audio' && text.trim()) await this.messages.send(ctx.principal, { ...base, type: 'text', text } as SendMessageDto);
    return { id: message.id, message_id: message.waMessageId, status: message.status, to: message.chatJid, type };
  }

  async contactList(ctx: DeviceContext, query: PageQueryDto) {
    const page = query.page ?? 1;
    const limit = query.limit ?? 1000;
    const result = await this.contacts.list(ctx.principal, { page, limit }, ctx.session);
    return {
      data: result.contacts.map((c) => ({
        id: c.jid,
        phone: c.phoneNumber ?? '',
        name: c.name ?? c.pushName ?? '',
        notify: c.pushName ?? '',
        lid: c.lid ?? '',
      })),
      total: result.total,
      page,
      limit,
    };
  }

  async groupList(ctx: DeviceContext) {
    const { groups } = await this.groups.list(ctx.session);
    return groups.map((g) => ({
      id: g.jid,
      name: g.subject,
      subject: g.subject,
      description: g.description ?? '',
      owner: g.owner ?? '',
      size: g.participants.length,
      participants: g.participants.map((p) => ({ id: p.jid, phone: p.phoneNumber ?? '', admin: p.admin })),
    }));
  }

  // ------------------------------------------------------------------ protected routes (apikey)

  /** Devices the caller may see, newest first: `q` searches the token and the number, `workspace` filters. */
  async list(principal: Principal, query: DevicesQueryDto): Promise<{ data: DeviceDto[]; total: number; page: number; limit: number }> {
    const rows = await this.devices.find();
    const bySession = new Map(rows.map((d) => [d.sessionId, d]));
    const page = query.page ?? 1;
    const limit = query.limit ?? 10;
    const listed = await this.sessions.list(principal, { page, limit, q: query.q, workspace: query.workspace }, [...bySession.keys()]);
    const hooks = await this.webhooks.list(principal, {});
    const webhookOf = new Map(hooks.filter((w) => w.origin === 'device' && w.sessionId).map((w) => [w.sessionId!, w.url]));
    const data = listed.sessions.map((s) => {
      const device = bySession.get(s.sessionId)!;
      const linked = hasAccount(s);
      return {
        token: device.token,
        name: linked ? (s.pushName ?? '') : '',
        phone: linked ? (s.mobile_number ?? '') : '',
        status: s.status === SessionStatus.READY ? 'AUTHENTICATED' : 'DISCONNECTED',
        state: s.status,
        workspace: (s.settings.workspace as string | null) ?? null,
        webhook: webhookOf.get(s.sessionId) ?? null,
        reject_call: device.rejectCall ? 'Y' : 'N',
        reject_message: device.rejectMessage,
        created_at: device.createdAt.toISOString(),
      };
    });
    return { data, total: listed.total, page, limit };
  }

  /**
   * Deletes the native session (logged out, INACTIVE), the device's webhook and the device. The
   * session leaves its workspace too, so the workspace listing forgets deleted devices (a
   * workspace-bound caller may not change labels: its session keeps it).
   */
  async remove(ctx: DeviceContext): Promise<void> {
    if (ctx.session.settings.workspace && !ctx.principal.isBound) await this.sessions.updateSettings(ctx.principal, ctx.session, { workspace: null });
    await this.sessions.remove(ctx.session);
    const hooks = await this.webhooks.list(ctx.principal, { sessionId: ctx.session.id });
    for (const hook of hooks) if (hook.origin === 'device') await this.webhooks.remove(ctx.principal, hook.id);
    await this.devices.delete({ id: ctx.device.id });
  }

  /** The native per-device webhook (every event of the device's session, native format). */
  async setWebhook(ctx: DeviceContext, url: string): Promise<{ created: boolean }> {
    const { created } = await this.webhooks.setDeviceWebhook(ctx.principal, ctx.session.id, url);
    return { created };
  }

  /** The native workspace label; "" or null clears it. */
  async setWorkspace(ctx: DeviceContext, workspace: string | null): Promise<string | null> {
    const label = workspace?.trim() || null;
    await this.sessions.assignWorkspace(ctx.principal, ctx.session.id, label);
    return label;
  }

  async workspaces(principal: Principal): Promise<{ name: string; sessions: number }[]> {
    return this.sessions.workspaces(principal);
  }

  // ------------------------------------------------------------------ shapes

  private profile(s: SessionDto): DeviceStatusResponseDto {
    const ready = s.status === SessionStatus.READY;
    const linked = hasAccount(s);
    const phone = linked ? (s.mobile_number ?? '') : '';
    const name = linked ? (s.pushName ?? '') : '';
    return {
      status: ready,
      message: ready ? 'AUTHENTICATED' : 'DISCONNECTED',
      name,
      phone,
      pic: '',
      data: { id: phone ? `${phone}@s.whatsapp.net` : '', lid: linked && s.mobid ? `${s.mobid}@lid` : '', name },
    };
  }
}

/** Whether the session still has a linked account to show (not logged out or deleted). */
function hasAccount(s: SessionDto): boolean {
  return Boolean(s.mobile_number) && s.status !== SessionStatus.LOGGED_OUT && s.health.lastError !== 'DELETED';
}
