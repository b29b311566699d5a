import { extname } from 'node:path';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { UploadedFile } from '../../messages/messages.service';

/** The media kinds the phones manager names (PHONES_ALLOWED_MEDIA). */
export type PhonesMediaKind = 'image' | 'video' | 'audio' | 'document';

const BY_EXTENSION: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif',
  '.mp4': 'video/mp4', '.3gp': 'video/3gpp', '.mov': 'video/quicktime', '.webm': 'video/webm',
  '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.opus': 'audio/ogg', '.m4a': 'audio/mp4', '.aac': 'audio/aac', '.wav': 'audio/wav', '.amr': 'audio/amr',
};

/** image/* → image, video/* → video, audio/* → audio, anything else → document. */
export function kindOfMime(mime: string | null | undefined): PhonesMediaKind {
  const type = (mime ?? '').toLowerCase().split(';')[0].trim();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'document';
}

/**
 * The kind of the media a message carries, from its MIME type: the multipart part's type, a
 * `data:` URL's type, the type detected from base64 bytes, or the link's file extension (a
 * declared `messageOptions.mimetype` wins for links). The native send path then checks the
 * bytes against that kind.
 */
export async function mediaKindOf(source: { file?: UploadedFile; base64?: string; link?: string; declared?: string }): Promise<PhonesMediaKind> {
  if (source.declared) return kindOfMime(source.declared);
  if (source.file) return kindOfMime(source.file.mimetype);
  if (source.base64 !== undefined) {
    const dataUrl = /^data:([\w.+-]+\/[\w.+-]+)[;,]/i.exec(source.base64);
    if (dataUrl) return kindOfMime(dataUrl[1]);
    const head = Buffer.from(source.base64.slice(0, 8192).replace(/\s/g, ''), 'base64');
    if (!head.length) throw new AppError(ErrorCode.MEDIA_INVALID, 'media is not base64 data', { fields: [{ field: 'media', messages: ['media must be base64 or a data: URL'] }] });
    const { fileTypeFromBuffer } = await import('file-type');
    return kindOfMime((await fileTypeFromBuffer(head))?.mime);
  }
  let path = source.link ?? '';
  try {
    path = new URL(path).pathname;
  } catch {
    /* the native fetcher refuses it with its own error */
  }
  return kindOfMime(BY_EXTENSION[extname(path).toLowerCase()]);
}

interface ListRow {
  title?: unknown;
  description?: unknown;
  id?: unknown;
}

/**
 * A list message as numbered text (WhatsApp linked devices cannot send interactive lists
 * reliably, and the native engine port has no list message): the heading (`message` or the
 * list's text/title), each section's title, then `1. Row — description` lines, the footer last.
 * @throws AppError VALIDATION_FAILED when the list has no rows
 */
export function listAsText(list: unknown, message?: string): string {
  const lines: string[] = [];
  const push = (v: unknown) => typeof v === 'string' && v.trim() && lines.push(v.trim());
  let rows: { section?: string; rows: ListRow[] }[] = [];
  if (Array.isArray(list)) {
    rows = [{ rows: list.map((r) => (typeof r === 'string' ? { title: r } : (r as ListRow))) }];
    push(message);
  } else if (list && typeof list === 'object') {
    const l = list as Record<string, unknown>;
    for (const heading of new Set([l.title, message ?? l.text ?? l.body ?? l.description])) push(heading);
    const sections = Array.isArray(l.sections) ? l.sections : Array.isArray(l.rows) ? [{ rows: l.rows }] : [];
    rows = sections.map((s: any) => ({ section: typeof s?.title === 'string' ? s.title : undefined, rows: Array.isArray(s?.rows) ? s.rows : [] }));
  }
  let n = 0;
  for (const section of rows) {
    if (section.section) lines.push('', section.section);
    for (const row of section.rows) {
      const title = typeof row?.title === 'string' ? row.title : typeof row?.id === 'string' ? row.id : null;
      if (!title) continue;
      n++;
      lines.push(`${n}. ${title}${typeof row.description === 'string' && row.description ? ` — ${row.description}` : ''}`);
    }
  }
  if (!n) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'Validation failed: list: a list needs rows: an array of strings or {sections:[{title, rows:[{title}]}]}', {
      fields: [{ field: 'list', messages: ['a list needs rows: an array of strings or {sections:[{title, rows:[{title}]}]}'] }],
    });
  }
  if (list && typeof list === 'object' && !Array.isArray(list)) {
    const footer = (list as Record<string, unknown>).footer;
    if (typeof footer === 'string' && footer.trim()) lines.push('', footer.trim());
  }
  return lines.join('\n').replace(/^\n+/, '');
}
