import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import sharp from 'sharp';
import { Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { VoiceNoteService } from './audio/voice-note.service';
import { MediaEntity } from './entities/media.entity';
import { MediaFetcher } from './media-fetcher';
import { acceptsMime, type MediaKind } from './media-kind';
import { MEDIA_STORAGE, type MediaStorage } from './media-storage';

/** Where the bytes of a message's media come from: exactly one of them. */
export interface MediaSource {
  buffer?: Buffer;
  url?: string;
  /** Base64, or a `data:<mime>;base64,` URL. */
  base64?: string;
  /** Media stored before (an upload through the media endpoint). */
  mediaId?: string;
  fileName?: string | null;
}

const URL_CACHE_TTL_MS = 10 * 60_000;
const URL_CACHE_MAX = 1000;

/**
 * Media for outbound messages: fetched (safely) or decoded, typed from the bytes, converted
 * to what WhatsApp plays (JPEG images within the configured size, WebP stickers, Ogg/Opus voice
 * notes) and stored once per content hash.
 */
@Injectable()
export class MediaService {
  private readonly fetcher: MediaFetcher;
  /** A broadcast of one URL fetches and converts it once. */
  private readonly urlCache = new Map<string, { mediaId: string; expires: number }>();

  constructor(
    @InjectRepository(MediaEntity) private readonly media: Repository<MediaEntity>,
    @Inject(MEDIA_STORAGE) private readonly storage: MediaStorage,
    private readonly voiceNotes: VoiceNoteService,
    private readonly config: AppConfig,
  ) {
    const m = config.media;
    this.fetcher = new MediaFetcher({ maxBytes: m.maxBytes, timeoutMs: m.fetchTimeoutMs, maxRedirects: m.maxRedirects, allowlist: m.urlAllowlist });
  }

  /**
   * Turns a source into stored media of the given kind.
   * @throws AppError MEDIA_URL_FORBIDDEN, MEDIA_FETCH_FAILED, MEDIA_TOO_LARGE, MEDIA_INVALID, MEDIA_TYPE_MISMATCH
   */
  async prepare(kind: MediaKind, source: MediaSource): Promise<MediaEntity> {
    const cacheKey = source.url ? `${kind}\u0000${source.url}\u0000${source.fileName ?? ''}` : null;
    if (cacheKey) {
      const hit = this.urlCache.get(cacheKey);
      if (hit && hit.expires > Date.now()) {
        const entity = await this.media.findOneBy({ id: hit.mediaId });
        if (entity) return entity;
      }
    }
    const { data, fileName } = await this.load(source);
    const entity = await this.convertAndStore(kind, data, fileName);
    if (cacheKey) {
      if (this.urlCache.size >= URL_CACHE_MAX) this.urlCache.delete(this.urlCache.keys().next().value!);
      this.urlCache.set(cacheKey, { mediaId: entity.id, expires: Date.now() + URL_CACHE_TTL_MS });
    }
    return entity;
  }

  /**
   * Stores an upload as it is (typed from its bytes) for later sends by id; conversion to the
   * message kind happens when it is sent.
   * @throws AppError MEDIA_TOO_LARGE, MEDIA_INVALID
   */
  async upload(data: Buffer, fileName: string | null): Promise<MediaEntity> {
    if (!data.length) throw new AppError(ErrorCode.MEDIA_INVALID, 'The file is empty');
    const { fileTypeFromBuffer } = await import('file-type');
    const detected = await fileTypeFromBuffer(data);
    if (detected?.mime.startsWith('image/')) await this.assertPixelsWithinLimit(data);
    return this.store(data, detected?.mime ?? (looksLikeText(data) ? 'text/plain' : 'application/octet-stream'), fileName);
  }

  /**
   * Fetches a URL (safely, as `prepare` does) and stores the bytes as they are, typed from them:
   * for callers that choose the message kind from what the file turns out to be.
   * @throws AppError MEDIA_URL_FORBIDDEN, MEDIA_FETCH_FAILED, MEDIA_TOO_LARGE, MEDIA_INVALID
   */
  async uploadFromUrl(url: string, fileName: string | null = null): Promise<MediaEntity> {
    const loaded = await this.load({ url, fileName });
    return this.upload(loaded.data, loaded.fileName);
  }

  /**
   * Refuses an image whose header declares more pixels than IMAGE_MAX_PIXELS, before anything
   * decodes it: a small file can declare 16000×16000 pixels, and decoding allocates them all.
   * Reading the header (sharp's metadata) decodes no pixel; a header that cannot be read is left
   * to the decoder, which refuses it as invalid.
   * @throws AppError MEDIA_TOO_MANY_PIXELS
   */
  private async assertPixelsWithinLimit(data: Buffer): Promise<void> {
    const max = this.config.media.imageMaxPixels;
    let size: { width?: number; height?: number; pages?: number; pageHeight?: number };
    try {
      size = await sharp(data, { limitInputPixels: false }).metadata();
    } catch {
      return;
    }
    const frameHeight = size.pageHeight ?? size.height ?? 0;
    const pixels = (size.width ?? 0) * frameHeight;
    if (pixels > max) throw tooManyPixels(size.width ?? 0, frameHeight, max);
  }

  /**
   * Forgets a stored media row and deletes its bytes through the storage. Refused by the
   * database (foreign key) while a message still uses the row; the bytes then stay too.
   */
  async remove(id: string): Promise<boolean> {
    const row = await this.media.findOneBy({ id });
    if (!row) return false;
    const result = await this.media.delete({ id });
    if (!result.affected) return false;
    // The same content stored again meanwhile (a new row for the hash) keeps its bytes.
    if (!(await this.media.existsBy({ storageKey: row.storageKey }))) await this.storage.delete(row.storageKey);
    return true;
  }

  /** Stores a finished voice note (e.g. from text-to-speech). */
  storeVoiceNote(note: { data: Buffer; mimetype: string; seconds: number; waveform: Uint8Array }, fileName: string | null = null): Promise<MediaEntity> {
    return this.store(note.data, note.mimetype, fileName, { seconds: note.seconds, waveform: note.waveform });
  }

  async get(id: string): Promise<MediaEntity | null> {
    return this.media.findOneBy({ id });
  }

  localPath(entity: MediaEntity): Promise<string> {
    return this.storage.localPath(entity.storageKey);
  }

  read(entity: MediaEntity): Promise<Buffer> {
    return this.storage.read(entity.storageKey);
  }

  private async load(source: MediaSource): Promise<{ data: Buffer; fileName: string | null }> {
    const max = this.config.media.maxBytes;
    if (source.buffer) return { data: source.buffer, fileName: source.fileName ?? null };
    if (source.url) {
      const fetched = await this.fetcher.fetch(source.url);
      return { data: fetched.data, fileName: source.fileName ?? fetched.fileName };
    }
    if (source.mediaId) {
      const stored = /^[0-9a-f-]{36}$/i.test(source.mediaId) ? await this.media.findOneBy({ id: source.mediaId }) : null;
      if (!stored) throw new AppError(ErrorCode.MEDIA_INVALID, `No media with id '${source.mediaId}'`, { mediaId: source.mediaId });
      return { data: await this.storage.read(stored.storageKey), fileName: source.fileName ?? stored.fileName };
    }
    if (source.base64 !== undefined) {
      const match = /^data:[^;,]*(;[^,]*)?,/.exec(source.base64);
      const body = match ? source.base64.slice(match[0].length) : source.base64;
      if (!/^[A-Za-z0-9+/=\s_-]*$/.test(body)) throw new AppError(ErrorCode.MEDIA_INVALID, 'data is not valid base64');
      const data = Buffer.from(body, 'base64');
      if (!data.length) throw new AppError(ErrorCode.MEDIA_INVALID, 'data is empty');
      if (data.length > max) throw new AppError(ErrorCode.MEDIA_TOO_LARGE, `The media is larger than ${max} bytes`, { maxBytes: max });
      return { data, fileName: source.fileName ?? null };
    }
    throw new AppError(ErrorCode.MEDIA_INVALID, 'No media given: send a file, a url or base64 data');
  }

  private async convertAndStore(kind: MediaKind, input: Buffer, fileName: string | null): Promise<MediaEntity> {
    const { fileTypeFromBuffer } = await import('file-type');
    const detected = await fileTypeFromBuffer(input);
    const mime = detected?.mime ?? (looksLikeText(input) ? 'text/plain' : 'application/octet-stream');
    if (!acceptsMime(kind, mime)) {
      throw new AppError(ErrorCode.MEDIA_TYPE_MISMATCH, `The file is ${mime}, which cannot be sent as ${kind}`, { expected: kind, detected: mime });
    }
    if (mime.startsWith('image/')) await this.assertPixelsWithinLimit(input);
    switch (kind) {
      case 'image':
        return this.store(await this.toJpeg(input), 'image/jpeg', withExt(fileName, '.jpg'));
      case 'sticker':
        return this.store(await this.toSticker(input), 'image/webp', null);
      case 'voice': {
        const note = await this.voiceNotes.toVoiceNote(input);
        return this.store(note.data, note.mimetype, withExt(fileName, '.ogg'), { seconds: note.seconds, waveform: note.waveform });
      }
      default:
        return this.store(input, mime, fileName ?? (kind === 'pdf' ? 'document.pdf' : null));
    }
  }

  private async toJpeg(input: Buffer): Promise<Buffer> {
    const { imageMaxDimension: max, imageJpegQuality: quality, imageMaxPixels } = this.config.media;
    try {
      return await sharp(input, { failOn: 'error', limitInputPixels: imageMaxPixels })
        .rotate()
        .resize({ width: max, height: max, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality, mozjpeg: true })
        .toBuffer();
    } catch (err) {
      throw decodeError(err, 'The image could not be decoded', imageMaxPixels);
    }
  }

  /** WhatsApp stickers are 512×512 WebP with transparency. */
  private async toSticker(input: Buffer): Promise<Buffer> {
    const { imageMaxPixels } = this.config.media;
    try {
      return await sharp(input, { failOn: 'error', limitInputPixels: imageMaxPixels })
        .resize({ width: 512, height: 512, fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
        .webp({ quality: 80 })
        .toBuffer();
    } catch (err) {
      throw decodeError(err, 'The sticker image could not be decoded', imageMaxPixels);
    }
  }

  private async store(
    data: Buffer,
    mimetype: string,
    fileName: string | null,
    audio?: { seconds: number; waveform: Uint8Array },
  ): Promise<MediaEntity> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const existing = await this.media.findOneBy({ sha256 });
    if (existing && (await this.storage.exists(existing.storageKey))) return existing;
    const storageKey = `${sha256.slice(0, 2)}/${sha256}${extensionFor(mimetype)}`;
    await this.storage.put(storageKey, data);
    await this.media
      .createQueryBuilder()
      .insert()
      .values({
        sha256,
        mimetype,
        size: data.length,
        fileName,
        storageKey,
        seconds: audio ? Math.max(1, Math.round(audio.seconds)) : null,
        waveform: audio ? Buffer.from(audio.waveform).toString('base64') : null,
      })
      .orIgnore()
      .execute();
    return (await this.media.findOneBy({ sha256 }))!;
  }
}

function tooManyPixels(width: number, height: number, max: number): AppError {
  return new AppError(ErrorCode.MEDIA_TOO_MANY_PIXELS, `The image has ${width}×${height} pixels, more than IMAGE_MAX_PIXELS (${max})`, {
    width,
    height,
    maxPixels: max,
  });
}

/** sharp's own pixel limit (a header the metadata read missed) is the same refusal. */
function decodeError(err: unknown, message: string, maxPixels: number): AppError {
  if (err instanceof Error && /pixel limit/i.test(err.message)) {
    return new AppError(ErrorCode.MEDIA_TOO_MANY_PIXELS, `The image has more pixels than IMAGE_MAX_PIXELS (${maxPixels})`, { maxPixels }, { cause: err });
  }
  return new AppError(ErrorCode.MEDIA_INVALID, message, undefined, { cause: err });
}

function looksLikeText(buf: Buffer): boolean {
  const sample = buf.subarray(0, 512);
  return sample.length > 0 && !sample.includes(0);
}

function withExt(name: string | null, ext: string): string | null {
  if (!name) return null;
  return extname(name) ? name.slice(0, -extname(name).length) + ext : name + ext;
}

function extensionFor(mime: string): string {
  const map: Record<string, string> = {
    'image/jpeg': '.jpg', 'image/webp': '.webp', 'image/png': '.png', 'audio/ogg; codecs=opus': '.ogg', 'audio/ogg': '.ogg',
    'audio/mpeg': '.mp3', 'video/mp4': '.mp4', 'application/pdf': '.pdf',
  };
  return map[mime] ?? '';
}
