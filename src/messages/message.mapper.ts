import type { MessageDto } from './dto/message.dto';
import type { MessageEntity } from './entities/message.entity';
import type { MediaEntity } from '../media/entities/media.entity';

export function toMessageDto(m: MessageEntity, media: MediaEntity | null = null): MessageDto {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: m.id,
    number: m.number,
    waMessageId: m.waMessageId,
    sessionId: m.sessionId,
    direction: m.direction,
    chat: m.chatJid,
    to: m.direction === 'outbound' ? m.recipientInput : null,
    from: m.direction === 'inbound' ? m.senderJid : null,
    type: m.type,
    content: publicContent(m.content),
    media: media
      ? { id: media.id, mimetype: media.mimetype, size: media.size, fileName: media.fileName, seconds: media.seconds }
      : m.mediaId
        ? { id: m.mediaId, mimetype: m.content.mimetype ?? 'application/octet-stream', size: 0, fileName: m.content.fileName ?? null, seconds: null }
        : null,
    status: m.status,
    heldReason: m.heldReason ?? null,
    statusHistory: m.statusHistory,
    attempts: m.attempts,
    error: m.errorCode ? { code: m.errorCode, message: m.errorMessage ?? m.errorCode } : null,
    sentAt: iso(m.sentAt),
    deliveredAt: iso(m.deliveredAt),
    readAt: iso(m.readAt),
    playedAt: iso(m.playedAt),
    expiresAt: iso(m.expiresAt),
    createdAt: iso(m.createdAt)!,
  };
}

/** Content as the API shows it: engine references stay internal. */
function publicContent(content: MessageEntity['content']): Record<string, unknown> {
  const { inboundMedia, ...rest } = content;
  if (!inboundMedia) return { ...rest };
  const { ref: _ref, ...media } = inboundMedia;
  return { ...rest, media };
}
