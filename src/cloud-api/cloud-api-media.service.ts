import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Principal } from '../auth/principal';
import { safeEqual } from '../auth/secrets';
import { AppConfig } from '../config/app-config';
import type { MediaEntity } from '../media/entities/media.entity';
import { MediaService } from '../media/media.service';
import { MessagesService } from '../messages/messages.service';
import { SettingKey, SettingsService } from '../settings/settings.service';
import { CloudApiError, GraphObjectNotFoundError, graphInvalidParam } from './cloud-api.errors';
import { CloudApiPhoneNumbersService } from './cloud-api-phone-numbers.service';
import { CloudApiMediaEntity } from './entities/cloud-api-media.entity';

/** Meta's upload types and limits (whatsapp-api-js enforces the same list client-side). */
const LIMITS: { kind: string; types: string[]; maxBytes: number }[] = [
  { kind: 'audio', types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * 1024 * 1024 },
  {
    kind: 'document',
    types: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.ms-excel',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * 1024 * 1024,
  },
  { kind: 'image', types: ['image/jpeg', 'image/png'], maxBytes: 5 * 1024 * 1024 },
  { kind: 'sticker', types: ['image/webp'], maxBytes: 500 * 1024 },
  { kind: 'video', types: ['video/mp4', 'video/3gpp'], maxBytes: 16 * 1024 * 1024 },
];
const ALL_TYPES = LIMITS.flatMap((l) => l.types);
/** Meta keeps uploads 30 days. */
const UPLOAD_TTL_MS = 30 * 24 * 3600 * 1000;

export interface MediaInfo {
  url: string;
  mime_type: string;
  sha256: string;
  file_size: number;
  id: string;
  messaging_product: 'whatsapp';
}

/**
 * The facade's media ids. Uploads get a 16-digit id of their own over the shared media store
 * (bytes are kept once per hash; deleting an upload never breaks a message that uses the same
 * bytes). Media of received messages — the ids inbound webhooks carry — are the decimal form
 * of the message's uuid (longer than 16 digits) and are downloaded from WhatsApp on first use.
 */
@Injectable()
export class CloudApiMediaService {
  private urlKey?: Promise<Buffer>;

  constructor(
    @InjectRepository(CloudApiMediaEntity) private readonly uploads: Repository<CloudApiMediaEntity>,
    private readonly media: MediaService,
    private readonly messages: MessagesService,
    private readonly numbers: CloudApiPhoneNumbersService,
    private readonly settings: SettingsService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Stores an upload for the session. The MIME type is `type`, else the part's Content-Type;
   * both must be one of Meta's supported types, within Meta's size for that kind.
   * @throws CloudApiError 100 (no file, unsupported type), 131053 (too large, unreadable)
   */
  async upload(principal: Principal, phoneNumberId: string, file: { buffer: Buffer; originalname?: string; mimetype?: string } | undefined, declaredType?: string): Promise<{ id: string }> {
    const session = await this.numbers.resolve(principal, phoneNumberId);
    if (!file) throw graphInvalidParam('The parameter file is required.');
    const mime = (declaredType || file.mimetype || '').trim();
    const base = mime.split(';')[0].trim().toLowerCase();
    const limit = LIMITS.find((l) => l.types.includes(base));
    if (!limit) throw graphInvalidParam(`Param file must be a file with one of the following types: ${ALL_TYPES.join(', ')}. Received file of type '${mime}'.`);
    if (file.buffer.length > limit.maxBytes) {
      throw new CloudApiError(131053, `File size too big. Max file size allowed for ${limit.kind}: ${limit.maxBytes} bytes; got ${file.buffer.length}.`);
    }
    const stored = await this.media.upload(file.buffer, file.originalname ?? null);
    const row = await this.uploads.save(
      this.uploads.create({
        id: newMediaId(),
        mediaId: stored.id,
        sessionId: session.id,
        // Served back as Content-Type: parameters are kept only when they are plain ASCII.
        mimeType: /^[\x20-\x7e]*$/.test(mime) ? mime : base,
        fileName: file.originalname ?? null,
        expiresAt: new Date(Date.now() + UPLOAD_TTL_MS),
      }),
    );
    return { id: row.id };
  }

  /** `GET /{media-id}`: metadata and a signed, expiring download URL on this server. */
  async info(principal: Principal, id: string, phoneNumberId: string | undefined, baseUrl: string): Promise<MediaInfo> {
    const found = await this.find(principal, id, phoneNumberId);
    const ext = Math.floor(Date.now() / 1000) + this.config.cloudApi.mediaUrlTtlSeconds;
    const hash = await this.sign(id, ext);
    return {
      url: `${baseUrl}/media-download/${id}?ext=${ext}&hash=${hash}`,
      mime_type: found.mimeType,
      sha256: found.sha256,
      file_size: found.size,
      id,
      messaging_product: 'whatsapp',
    };
  }

  /**
   * The bytes behind a URL from `info`. An expired or forged URL is "not found" (Meta answers
   * 404 and the client fetches a fresh URL).
   */
  async download(principal: Principal, id: string, ext: string | undefined, hash: string | undefined): Promise<{ data: Buffer; mimeType: string }> {
    const expiry = Number(ext);
    const valid = Number.isInteger(expiry) && expiry >= Math.floor(Date.now() / 1000) && typeof hash === 'string' && safeEqual(hash, await this.sign(id, expiry));
    if (!valid) throw new GraphObjectNotFoundError(id, 404);
    const found = await this.find(principal, id, undefined);
    return { data: await found.read(), mimeType: found.mimeType };
  }

  /** `DELETE /{media-id}`. Deleting the media of a received message is a no-op. */
  async remove(principal: Principal, id: string, phoneNumberId: string | undefined): Promise<void> {
    const found = await this.find(principal, id, phoneNumberId);
    if (!found.upload) return;
    await this.uploads.delete({ id: found.upload.id });
    const stillUsed = await this.uploads.countBy({ mediaId: found.upload.mediaId });
    // Message rows reference stored media by foreign key: those bytes stay while a message uses them.
    if (!stillUsed) await this.media.remove(found.upload.mediaId).catch(() => false);
  }

  /**
   * The stored media (native media uuid) a send by `{id}` uses.
   * @throws CloudApiError 100 when the id is unknown to this credential
   */
  async forSend(principal: Principal, id: string): Promise<string> {
    try {
      return (await this.find(principal, id, undefined)).mediaId;
    } catch (err) {
      if (err instanceof GraphObjectNotFoundError) throw graphInvalidParam(`Media id ${id} does not exist or was not uploaded with this token.`);
      throw err;
    }
  }

  /**
   * The bytes of an uploaded or received image (a profile picture by `profile_picture_handle`).
   * @throws CloudApiError 100 when the id is unknown to this credential or not a JPEG/PNG image
   */
  async imageBytes(principal: Principal, id: string): Promise<Buffer> {
    let found: Awaited<ReturnType<CloudApiMediaService['find']>>;
    try {
      found = await this.find(principal, id, undefined);
    } catch (err) {
      if (err instanceof GraphObjectNotFoundError) throw graphInvalidParam(`Media id ${id} does not exist or was not uploaded with this token.`);
      throw err;
    }
    const base = found.mimeType.split(';')[0].trim().toLowerCase();
    if (base !== 'image/jpeg' && base !== 'image/png') throw graphInvalidParam(`Media id ${id} is ${base}, not a JPEG or PNG image.`);
    return found.read();
  }

  private async find(
    principal: Principal,
    id: string,
    phoneNumberId: string | undefined,
  ): Promise<{ upload?: CloudApiMediaEntity; mediaId: string; mimeType: string; sha256: string; size: number; read: () => Promise<Buffer> }> {
    const scope = phoneNumberId ? (await this.numbers.resolve(principal, phoneNumberId)).id : null;
    if (/^\d{16}$/.test(id)) {
      const upload = await this.uploads.findOneBy({ id });
      const stored = upload && upload.expiresAt.getTime() > Date.now() ? await this.media.get(upload.mediaId) : null;
      if (!upload || !stored || (scope && upload.sessionId !== scope)) throw new GraphObjectNotFoundError(id);
      await this.numbers.resolve(principal, upload.sessionId).catch(() => {
        throw new GraphObjectNotFoundError(id);
      });
      return { upload, mediaId: stored.id, mimeType: upload.mimeType, sha256: stored.sha256, size: stored.size, read: () => this.media.read(stored) };
    }
    const messageId = messageIdOfMediaId(id);
    if (!messageId) throw new GraphObjectNotFoundError(id);
    let stored: MediaEntity;
    try {
      stored = await this.messages.storedMediaOf(principal, messageId);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'MESSAGE_NOT_FOUND' || code === 'FORBIDDEN') throw new GraphObjectNotFoundError(id);
      throw err;
    }
    return { mediaId: stored.id, mimeType: stored.mimetype, sha256: stored.sha256, size: stored.size, read: () => this.media.read(stored) };
  }

  private async sign(id: string, ext: number): Promise<string> {
    this.urlKey ??= this.settings
      .getOrCreateSecret(SettingKey.CLOUD_API_MEDIA_URL_KEY, () => randomBytes(32).toString('hex'))
      .then((hex) => Buffer.from(hex, 'hex'));
    return createHmac('sha256', await this.urlKey).update(`${id}.${ext}`).digest('base64url');
  }
}

/** A Meta-looking 16-digit media id (never a phone number: those have at most 15 digits). */
function newMediaId(): string {
  let id = String(randomInt(1, 10));
  while (id.length < 16) id += String(randomInt(0, 10));
  return id;
}

/** The media id of a received message's media: its uuid as a decimal number. */
export function mediaIdOfMessage(messageId: string): string {
  return BigInt(`0x${messageId.replace(/-/g, '')}`).toString().padStart(17, '0');
}

export function messageIdOfMediaId(id: string): string | null {
  if (!/^\d{17,39}$/.test(id)) return null;
  const value = BigInt(id);
  if (value >= 1n << 128n) return null;
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
