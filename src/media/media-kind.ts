export type MediaKind = 'image' | 'video' | 'audio' | 'voice' | 'pdf' | 'document' | 'sticker';

export const MEDIA_KINDS: readonly MediaKind[] = ['image', 'video', 'audio', 'voice', 'pdf', 'document', 'sticker'];

/** Which detected MIME types each kind accepts (checked against the bytes, not the name). */
export function acceptsMime(kind: MediaKind, mime: string): boolean {
  switch (kind) {
    case 'image':
      return /^image\/(jpeg|png|webp|gif|tiff|avif|heic|heif|bmp)$/.test(mime);
    case 'sticker':
      return /^image\/(webp|png|jpeg|gif)$/.test(mime);
    case 'video':
      return mime.startsWith('video/');
    case 'audio':
    case 'voice':
      return mime.startsWith('audio/') || mime === 'video/mp4' || mime === 'application/ogg';
    case 'pdf':
      return mime === 'application/pdf';
    case 'document':
      return true;
  }
}
