import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as QRCode from 'qrcode';
import { In, Repository } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { AppError, ForbiddenError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { KeyedMutex } from '../../common/utils/keyed-mutex';
import { AppConfig } from '../../config/app-config';
import type { SendMessageDto } from '../../messages/dto/send-message.dto';
import { MessagesService, type UploadedFile } from '../../messages/messages.service';
import type { SessionEntity } from '../../sessions/entities/session.entity';
import { SessionAccess } from '../../sessions/session-access';
import { SessionRegistry, type LiveState } from '../../sessions/session-registry';
import { SessionResolver } from '../../sessions/session-resolver';
import { SessionStatus } from '../../sessions/session-status';
import { SessionsService } from '../../sessions/sessions.service';
import { ConnectionTokens } from './connection-tokens';
import {
  CONNECTION_STATUSES,
  type ConnectionDto,
  type ConnectionStateDataDto,
  type ConnectionStatus,
  type ConnectionStatusDataDto,
  type OverviewDataDto,
  type RequestConnectionDataDto,
  type RequestConnectionDto,
  type SocketStatus,
} from './dto/connection.dto';
import type { ConnectionMessageDto, SendConnectionMessageDto, SentConnectionMessageDto } from './dto/send-connection-message.dto';
import { CompatConnectionEntity } from './entities/compat-connection.entity';
import { mediaKindOf, mimeFromName, normalizeMobileNumber } from './send-rules';

/** A connection's status from its session's: READY wins, then unlinked or logged out here (stale), then QR pending. */
export function connectionStatusOf(native: SessionStatus, loggedOutHere: boolean): ConnectionStatus {
  if (native === SessionStatus.READY) return 'connected';
  if (native === SessionStatus.LOGGED_OUT || loggedOutHere) return 'stale';
  if (native === SessionStatus.REGISTERING) return 'pending_qr';
  return 'disconnected';
}

/** The status route's socketStatus: a connection waiting for its QR has no socket to speak of. */
export function socketStatusOf(status: ConnectionStatus): SocketStatus {
  return status === 'pending_qr' ? 'disconnected' : status;
}

/** A product error code in the details, shown by the connections error renderer instead of the native code. */
function productError(code: ErrorCode, productCode: string, message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError(code, message, { ...details, productCode });
}

interface ConnectionState {
  row: CompatConnectionEntity;
  session: SessionEntity;
  live: LiveState | null;
  native: SessionStatus;
  status: ConnectionStatus;
}

/**
 * The connections API's rules: a connection is a native session plus a `compat_connection`
 * row (customer, connection token). Linking, sending and receipts are the native ones:
 * sessions through SessionsService/SessionRegistry, sends through MessagesService's queue,
 * tokens through TokensService (hash only).
 */
@Injectable()
export class ConnectionsService {
  private readonly logger = new Logger('ConnectionsCompat');
  /** One request per customer at a time in this process (a reset must not interleave with another). */
  private readonly requests = new KeyedMutex();

  constructor(
    @InjectRepository(CompatConnectionEntity) private readonly repo: Repository<CompatConnectionEntity>,
    private readonly sessions: SessionsService,
    private readonly registry: SessionRegistry,
    private readonly resolver: SessionResolver,
    private readonly access: SessionAccess,
    private readonly messages: MessagesService,
    private readonly tokens: ConnectionTokens,
    private readonly config: AppConfig,
  ) {}

  // ------------------------------------------------------------------ connections

  /**
   * Creates a connection for a customer, or resets the customer's existing one: its connection
   * tokens are revoked, its WhatsApp credentials wiped and a fresh QR started. Waits up to
   * QR_WAIT_TIMEOUT_MS for the first QR.
   * @throws ForbiddenError (a connection token), SESSION_BUSY
   */
  async request(principal: Principal, dto: RequestConnectionDto): Promise<{ created: boolean; data: RequestConnectionDataDto }> {
    this.assertManager(principal);
    return this.requests.run(dto.customerId, async () => {
      let row = await this.repo.findOneBy({ customerId: dto.customerId });
      const created = !row;
      if (row) {
        await this.access.authorize(principal, row.sessionId);
        const revoked = await this.tokens.revokeAll(row.sessionId);
        row.sessionId = await this.resetSession(principal, row.sessionId, dto.customerName);
        row.customerName = dto.customerName;
        row.websiteUrl = dto.websiteUrl ?? null;
        row.loggedOutAt = null;
        this.logger.log({ connectionId: row.id, sessionId: row.sessionId, revokedTokens: revoked }, 'Connection reset');
      } else {
        const session = await this.sessions.create(principal, { name: sessionName(dto.customerName) });
        row = this.repo.create({
          id: randomUUID(),
          customerId: dto.customerId,
          customerName: dto.customerName,
          websiteUrl: dto.websiteUrl ?? null,
          sessionId: session.id,
          tokenId: null,
          loggedOutAt: null,
        });
        this.logger.log({ connectionId: row.id, sessionId: session.id }, 'Connection created');
      }
      const { token, tokenId } = await this.tokens.issue(row);
      row.tokenId = tokenId;
      row = await this.repo.save(row);
      await this.waitForQrOrReady(row.sessionId);
      const state = await this.stateOf(row);
      const qrCodeDataUrl = await this.qrOf(state);
      return {
        created,
        data: {
          connection: this.toDto(state),
          auth: { connectionToken: token, qrCodeDataUrl },
          ...(qrCodeDataUrl || state.status !== 'pending_qr'
            ? {}
            : { hint: 'No QR yet: GET /compat/connections/api/v1/connections/status answers qrCodeDataUrl once the engine shows one' }),
        },
      };
    });
  }

  /**
   * Starts (or restarts) the connection: a connection logged out here reconnects with its
   * stored credentials; one unlinked from the phone starts a fresh QR; one waiting for its QR
   * stays pending_qr (scanning is what links). Waits up to QR_WAIT_TIMEOUT_MS for READY or a QR.
   */
  async activate(principal: Principal, connectionId?: string): Promise<ConnectionStateDataDto> {
    const row = await this.resolve(principal, connectionId);
    if (row.loggedOutAt) {
      row.loggedOutAt = null;
      await this.repo.update({ id: row.id }, { loggedOutAt: null });
    }
    const before = await this.stateOf(row, true);
    if (before.native === SessionStatus.LOGGED_OUT) await this.registry.relink(row.sessionId);
    else if (!before.live) await this.registry.start(row.sessionId);
    await this.waitForQrOrReady(row.sessionId);
    const state = await this.stateOf(row, true);
    return { connection: this.toDto(state), qrCodeDataUrl: await this.qrOf(state) };
  }

  /** Closes the socket, keeping the credentials: the connection is stale until activated. Idempotent. */
  async logout(principal: Principal, connectionId?: string): Promise<ConnectionStateDataDto> {
    const row = await this.resolve(principal, connectionId);
    const before = await this.stateOf(row, true);
    // A session unlinked from the phone stays LOGGED_OUT (stopping it would hide that).
    if (before.native !== SessionStatus.LOGGED_OUT) await this.registry.stop(row.sessionId);
    row.loggedOutAt = new Date();
    await this.repo.update({ id: row.id }, { loggedOutAt: row.loggedOutAt });
    const state = await this.stateOf(row, true);
    return { connection: this.toDto(state), qrCodeDataUrl: null };
  }

  async status(principal: Principal, connectionId?: string): Promise<ConnectionStatusDataDto> {
    const row = await this.resolve(principal, connectionId);
    const state = await this.stateOf(row, true);
    return {
      connectionId: row.id,
      customerId: row.customerId,
      status: state.status,
      socketStatus: socketStatusOf(state.status),
      isReachable: this.registry.readyEngine(row.sessionId) !== null,
      mobileNumber: this.mobileOf(state),
      checkedAt: new Date().toISOString(),
      qrCodeDataUrl: await this.qrOf(state),
    };
  }

  /** The connections the caller may see (a workspace-bound credential: its workspace's), newest first. */
  async list(principal: Principal): Promise<{ connections: ConnectionDto[]; total: number }> {
    const rows = await this.visibleRows(principal);
    const states = await Promise.all(rows.map((row) => this.stateOf(row)));
    return { connections: states.map((s) => this.toDto(s)), total: rows.length };
  }

  async overview(principal: Principal): Promise<OverviewDataDto> {
    const rows = await this.visibleRows(principal);
    const states = await Promise.all(rows.map((row) => this.stateOf(row)));
    const byStatus = Object.fromEntries(CONNECTION_STATUSES.map((s) => [s, 0])) as Record<ConnectionStatus, number>;
    for (const s of states) byStatus[s.status] += 1;
    const messages = await this.messages.flowFigures(rows.map((r) => r.sessionId));
    return {
      totalConnections: rows.length,
      byStatus,
      reachable: await this.reachableCount(states),
      messages: messages as unknown as Record<string, unknown>,
      checkedAt: new Date().toISOString(),
    };
  }

  // ------------------------------------------------------------------ messages

  /**
   * Queues a text or a file through the native queue. A file comes from `fileUrl` or the
   * multipart upload; its MIME type picks image, video, audio or document, and `message` is
   * its caption (audio has none in WhatsApp: the text follows as a second message).
   * @throws 403 while pending_qr or stale, RECIPIENT_INVALID, VALIDATION_FAILED, MEDIA_*
   */
  async send(principal: Principal, dto: SendConnectionMessageDto, file?: UploadedFile): Promise<SentConnectionMessageDto> {
    const row = await this.resolve(principal, dto.connectionId);
    const state = await this.stateOf(row, true);
    if (state.status === 'pending_qr') {
      throw productError(ErrorCode.SESSION_NOT_LINKED, 'CONNECTION_PENDING_QR', 'The connection is waiting for its QR to be scanned (pending_qr); scan it, then send', {
        connectionId: row.id,
        status: state.status,
      });
    }
    if (state.status === 'stale') {
      throw productError(ErrorCode.SESSION_NOT_LINKED, 'CONNECTION_STALE', 'The connection is stale (logged out): activate it before sending', {
        connectionId: row.id,
        status: state.status,
      });
    }
    const mobileNumber = normalizeMobileNumber(dto.mobileNumber);
    if (!mobileNumber) {
      throw new AppError(ErrorCode.RECIPIENT_INVALID, 'mobileNumber must be 10 digits (India, +91 is added) or start with + and a country code', {
        fields: [{ field: 'mobileNumber', messages: ['mobileNumber must be 10 digits or an international number starting with +'] }],
      });
    }
    if (file && dto.fileUrl) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Give the file once: an upload or fileUrl', {
        fields: [{ field: 'fileUrl', messages: ['fileUrl and an uploaded file cannot be combined'] }],
      });
    }
    const base = { sessionId: row.sessionId, to: `${mobileNumber.slice(1)}@s.whatsapp.net` };
    const answer = (m: { id: string; waMessageId: string; status: string }, type: string): SentConnectionMessageDto => ({
      messageId: m.id,
      waMessageId: m.waMessageId,
      status: m.status,
      type,
      mobileNumber,
      connectionId: row.id,
    });
    if (!file && !dto.fileUrl) {
      const { message } = await this.messages.send(principal, { ...base, type: 'text', text: dto.message } as SendMessageDto);
      return answer(message, 'text');
    }
    const kind = mediaKindOf(fileMime(dto, file));
    const media: Partial<SendMessageDto> = {
      ...base,
      type: kind,
      ...(dto.fileUrl ? { url: dto.fileUrl } : {}),
      ...(dto.fileName ? { fileName: dto.fileName } : {}),
      ...(kind === 'audio' ? {} : { caption: dto.message }),
    };
    const { message } = await this.messages.send(principal, media as SendMessageDto, file);
    const sent = answer(message, kind);
    if (kind === 'audio') {
      const text = await this.messages.send(principal, { ...base, type: 'text', text: dto.message } as SendMessageDto);
      sent.textMessageId = text.message.id;
    }
    return sent;
  }

  /** A message sent through this API (or any message of the caller's connection). @throws MESSAGE_NOT_FOUND */
  async message(principal: Principal, id: string): Promise<ConnectionMessageDto> {
    const m = await this.messages.get(principal, id);
    const digits = /^(\d+)@s\.whatsapp\.net$/.exec(m.chat)?.[1];
    return {
      messageId: m.id,
      waMessageId: m.waMessageId,
      status: m.status,
      type: m.type,
      mobileNumber: digits ? `+${digits}` : null,
      error: m.error,
      sentAt: m.sentAt,
      deliveredAt: m.deliveredAt,
      readAt: m.readAt,
      createdAt: m.createdAt,
    };
  }

  // ------------------------------------------------------------------ internals

  /**
   * The connection a request acts on. A connection token (a credential bound to a session)
   * acts on its own connection only; any other credential names one by `connectionId`.
   * @throws VALIDATION_FAILED (no connectionId), 404 CONNECTION_NOT_FOUND, ForbiddenError
   */
  /** The native session a call names (its connection token, or `connectionId`). @throws as resolve */
  async sessionIdOf(principal: Principal, connectionId?: string): Promise<string> {
    return (await this.resolve(principal, connectionId)).sessionId;
  }

  private async resolve(principal: Principal, connectionId?: string): Promise<CompatConnectionEntity> {
    if (principal.sessionId) {
      const row =
        (principal.tokenId ? await this.repo.findOneBy({ tokenId: principal.tokenId }) : null) ??
        (await this.repo.findOne({ where: { sessionId: principal.sessionId }, order: { createdAt: 'DESC' } }));
      if (!row) throw notFound(connectionId ?? principal.sessionId);
      if (connectionId && connectionId !== row.id) throw new ForbiddenError('A connection token acts on its own connection only');
      return row;
    }
    if (!connectionId) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'connectionId is required without a connection token (Authorization: Bearer <connectionToken>)', {
        fields: [{ field: 'connectionId', messages: ['connectionId is required without a connection token'] }],
      });
    }
    const row = await this.repo.findOneBy({ id: connectionId });
    if (!row) throw notFound(connectionId);
    await this.access.authorize(principal, row.sessionId);
    return row;
  }

  /** Routes for the manager (request, list, overview) refuse connection tokens. */
  private assertManager(principal: Principal): void {
    if (principal.sessionId) throw new ForbiddenError('This route needs the admin credential (or a connections token not bound to a connection), not a connection token');
  }

  private async visibleRows(principal: Principal): Promise<CompatConnectionEntity[]> {
    this.assertManager(principal);
    const visible = await this.access.visibleSessionIds(principal);
    return this.repo.find({ where: visible ? { sessionId: In(visible) } : {}, order: { createdAt: 'DESC' } });
  }

  /** Wipes the session's link and starts a fresh QR; a session of another engine is replaced by a new one. Returns the session id. */
  private async resetSession(principal: Principal, sessionId: string, customerName: string): Promise<string> {
    const session = await this.resolver.findEntity(sessionId);
    if (session && session.engine === this.config.whatsapp.engine) {
      await this.registry.relink(sessionId);
      return sessionId;
    }
    if (session) await this.registry.remove(sessionId);
    return (await this.sessions.create(principal, { name: sessionName(customerName) })).id;
  }

  private waitForQrOrReady(sessionId: string): Promise<LiveState | null> {
    return this.registry.waitFor(sessionId, (s) => Boolean(s?.qr) || s?.status === SessionStatus.READY, this.config.whatsapp.qrWaitTimeoutMs);
  }

  private async stateOf(row: CompatConnectionEntity, fresh = false): Promise<ConnectionState> {
    const { live, entity: session } = fresh
      ? await this.registry.snapshot(row.sessionId)
      : { entity: await this.resolver.getEntity(row.sessionId), live: this.registry.liveState(row.sessionId) };
    const native = live?.status ?? session.status;
    return { row, session, live, native, status: connectionStatusOf(native, row.loggedOutAt !== null) };
  }

  /**
   * How many of these connections a send reaches now: READY on this replica, or READY as its
   * owner wrote it while that replica holds the lease (any replica answers the same).
   */
  private async reachableCount(states: ConnectionState[]): Promise<number> {
    const here = states.filter((s) => this.registry.readyEngine(s.row.sessionId) !== null).length;
    const elsewhere = states.filter((s) => !this.registry.liveState(s.row.sessionId) && s.session.status === SessionStatus.READY).map((s) => s.row.sessionId);
    if (!elsewhere.length) return here;
    const owners = await this.registry.placement(elsewhere);
    return here + elsewhere.filter((id) => Boolean(owners.get(id)) && owners.get(id) !== this.registry.nodeId).length;
  }

  private async qrOf(state: ConnectionState): Promise<string | null> {
    if (state.status !== 'pending_qr' || !state.live?.qr) return null;
    return QRCode.toDataURL(state.live.qr, { margin: 2, width: 320 });
  }

  private mobileOf(state: ConnectionState): string | null {
    return state.status === 'connected' && state.session.mobileNumber ? `+${state.session.mobileNumber}` : null;
  }

  private toDto(state: ConnectionState): ConnectionDto {
    const { row, session } = state;
    return {
      id: row.id,
      customerId: row.customerId,
      customerName: row.customerName,
      websiteUrl: row.websiteUrl,
      status: state.status,
      mobileNumber: this.mobileOf(state),
      sessionId: row.sessionId,
      connectedAt: session.connectedAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}

function notFound(ref: string): AppError {
  return productError(ErrorCode.SESSION_NOT_FOUND, 'CONNECTION_NOT_FOUND', `Connection '${ref}' was not found`, { connectionId: ref });
}

/** The native session's label (at most 100 characters). */
function sessionName(customerName: string): string {
  return `connection: ${customerName}`.slice(0, 100);
}

/** The file's MIME type: the declared fileType, the upload's own type, else one guessed from a name or the URL. */
function fileMime(dto: SendConnectionMessageDto, file?: UploadedFile): string | null {
  const uploaded = file?.mimetype && file.mimetype !== 'application/octet-stream' ? file.mimetype : null;
  return dto.fileType || uploaded || mimeFromName(dto.fileName) || mimeFromName(file?.originalname) || mimeFromName(dto.fileUrl);
}
