import {
  BufferJSON,
  getContentType,
  isJidGroup,
  isJidStatusBroadcast,
  isLidUser,
  isPnUser,
  jidDecode,
  jidNormalizedUser,
  normalizeMessageContent,
  type Contact,
  type GroupMetadata,
  type proto,
  type WAMessage,
  type WAMessageKey,
} from '@whiskeysockets/baileys';
import type { GroupInfo } from '../engine/whatsapp-engine.port';
import { DisconnectReason, type ContactInfo, type EngineAccount, type InboundMessage, type MessageStatusUpdate } from '../engine/engine-events';

/** Maps the close status code Baileys reports (`lastDisconnect.error.output.statusCode`). */
export function toDisconnectReason(statusCode: number | undefined, message: string | undefined, linked: boolean): DisconnectReason {
  switch (statusCode) {
    case 515:
      return DisconnectReason.RESTART_REQUIRED;
    case 401:
      return DisconnectReason.LOGGED_OUT;
    case 403:
      return DisconnectReason.FORBIDDEN;
    case 411:
      return DisconnectReason.MULTIDEVICE_MISMATCH;
    case 440:
      return DisconnectReason.CONNECTION_REPLACED;
    case 408:
      // Also used when every QR ref was shown and none was scanned (Socket/socket.js).
      if (!linked && /QR refs attempts ended/i.test(message ?? '')) return DisconnectReason.QR_EXPIRED;
      return /lost/i.test(message ?? '') ? DisconnectReason.CONNECTION_LOST : DisconnectReason.TIMED_OUT;
    case 428:
      return DisconnectReason.CONNECTION_CLOSED;
    case 500:
      return DisconnectReason.BAD_SESSION;
    case 503:
      return DisconnectReason.UNAVAILABLE;
    case 405:
      return DisconnectReason.VERSION_REJECTED;
    case 400:
      // The Noise handshake's certificate checks (patched, docs/baileys-patches.md) throw 400s.
      return /noise|certificat/i.test(message ?? '') ? DisconnectReason.SERVER_NOT_TRUSTED : DisconnectReason.UNKNOWN;
    default:
      return DisconnectReason.UNKNOWN;
  }
}

/** `sock.user` → our account: `me.id` is `<pn>:<device>@s.whatsapp.net`, `me.lid` is `<lid>:<device>@lid`. */
export function toEngineAccount(me: Contact): EngineAccount {
  return {
    mobileNumber: jidDecode(me.id)?.user ?? me.id.split(/[:@]/)[0],
    mobid: me.lid ? (jidDecode(me.lid)?.user ?? null) : null,
    jid: me.id,
    pushName: me.name ?? me.notify ?? null,
  };
}

export function textOf(message: proto.IMessage | null | undefined): string | null {
  return message?.conversation ?? message?.extendedTextMessage?.text ?? null;
}

const MEDIA_KINDS = ['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage', 'documentWithCaptionMessage'] as const;

/**
 * Any inbound message a contact sent → our event, or null for own sends, stubs (undecryptable
 * `CIPHERTEXT` placeholders, protocol messages) and status broadcasts.
 */
export function toInboundMessage(msg: WAMessage): InboundMessage | null {
  const key = msg.key;
  if (key.fromMe || msg.messageStubType || !key.id || !key.remoteJid || isJidStatusBroadcast(key.remoteJid)) return null;
  const content = normalizeMessageContent(msg.message);
  if (!content || content.protocolMessage || content.senderKeyDistributionMessage && Object.keys(content).length === 1) return null;
  const group = isJidGroup(key.remoteJid);
  const senderJid = (group ? key.participant : key.remoteJid) ?? key.remoteJid;
  const altJid = group ? key.participantAlt : key.remoteJidAlt;
  // v7 addresses many chats by LID; the phone-number form (when WhatsApp told us) keeps one
  // chat per contact and matches the JIDs our API sends to.
  const pnJid = isPnUser(senderJid) ? senderJid : altJid && isPnUser(altJid) ? altJid : null;
  const base: InboundMessage = {
    id: key.id,
    chatJid: group ? key.remoteJid : (pnJid ? jidNormalizedUser(pnJid) : key.remoteJid),
    senderJid: pnJid ? jidNormalizedUser(pnJid) : senderJid,
    senderPhone: pnJid ? (jidDecode(pnJid)?.user ?? null) : null,
    pushName: msg.pushName ?? null,
    timestamp: Number(msg.messageTimestamp ?? Math.floor(Date.now() / 1000)),
    type: 'other',
    quotedId: contextOf(content)?.stanzaId ?? null,
    forwarded: forwardOf(contextOf(content)),
  };
  const type = getContentType(content);
  switch (type) {
    case 'conversation':
    case 'extendedTextMessage':
      return { ...base, type: 'text', text: textOf(content) };
    case 'locationMessage':
    case 'liveLocationMessage': {
      const l = content.locationMessage ?? content.liveLocationMessage!;
      return {
        ...base,
        type: 'location',
        location: { latitude: Number(l.degreesLatitude), longitude: Number(l.degreesLongitude), name: (l as proto.Message.ILocationMessage).name ?? null, address: (l as proto.Message.ILocationMessage).address ?? null },
      };
    }
    case 'contactMessage':
      return { ...base, type: 'contact', contact: { displayName: content.contactMessage!.displayName ?? 'Contact', vcards: [content.contactMessage!.vcard ?? ''] } };
    case 'contactsArrayMessage':
      return {
        ...base,
        type: 'contact',
        contact: { displayName: content.contactsArrayMessage!.displayName ?? 'Contacts', vcards: (content.contactsArrayMessage!.contacts ?? []).map((c) => c.vcard ?? '') },
      };
    case 'reactionMessage':
      return { ...base, type: 'reaction', reaction: { emoji: content.reactionMessage!.text ?? '', targetId: content.reactionMessage!.key?.id ?? '' } };
    default:
      break;
  }
  for (const kind of MEDIA_KINDS) {
    const media = kind === 'documentWithCaptionMessage' ? content.documentWithCaptionMessage?.message?.documentMessage : content[kind];
    if (!media) continue;
    const m = media as proto.Message.IImageMessage & proto.Message.IAudioMessage & proto.Message.IDocumentMessage;
    const isVoice = kind === 'audioMessage' && Boolean(m.ptt);
    const ourType = kind === 'imageMessage' ? 'image' : kind === 'videoMessage' ? 'video' : kind === 'stickerMessage' ? 'sticker' : kind === 'audioMessage' ? (isVoice ? 'voice' : 'audio') : 'document';
    const field = kind === 'documentWithCaptionMessage' ? 'documentMessage' : kind;
    return {
      ...base,
      type: ourType,
      caption: m.caption ?? null,
      media: {
        mimetype: m.mimetype ?? 'application/octet-stream',
        fileName: m.fileName ?? null,
        size: m.fileLength != null ? Number(m.fileLength) : null,
        seconds: m.seconds ?? null,
        ptt: isVoice,
        ...(kind === 'stickerMessage' ? { animated: Boolean((media as proto.Message.IStickerMessage).isAnimated) } : {}),
        sha256: m.fileSha256?.length ? Buffer.from(m.fileSha256).toString('base64') : null,
        // Everything downloadMediaMessage needs (url, directPath, mediaKey, …), kept with the message.
        ref: JSON.stringify({ key, message: { [field]: media } }, BufferJSON.replacer),
      },
    };
  }
  return { ...base, type: 'other', text: textOf(content) };
}

/** WhatsApp marks a message forwarded many times from a forwarding score of 5. */
function forwardOf(context: proto.IContextInfo | null | undefined): InboundMessage['forwarded'] {
  if (!context?.isForwarded && !context?.forwardingScore) return null;
  return (context.forwardingScore ?? 0) >= 5 ? 'frequently_forwarded' : 'forwarded';
}

function contextOf(content: proto.IMessage): proto.IContextInfo | null | undefined {
  const type = getContentType(content);
  const inner = type ? (content[type] as { contextInfo?: proto.IContextInfo } | undefined) : undefined;
  return inner && typeof inner === 'object' ? inner.contextInfo : null;
}

export function toContactInfo(c: Partial<Contact>): ContactInfo | null {
  if (!c.id) return null;
  const pn = isPnUser(c.id) ? c.id : c.phoneNumber && isPnUser(c.phoneNumber) ? c.phoneNumber : null;
  const lid = isLidUser(c.id) ? c.id : c.lid ?? null;
  const jid = pn ? jidNormalizedUser(pn) : c.id;
  return {
    jid,
    phoneNumber: pn ? (jidDecode(pn)?.user ?? null) : null,
    lid: lid ? (jidDecode(lid)?.user ?? null) : null,
    name: c.name ?? c.verifiedName ?? null,
    pushName: c.notify ?? null,
  };
}

export function toGroupInfo(g: GroupMetadata): GroupInfo {
  return {
    jid: g.id,
    subject: g.subject,
    description: g.desc ?? null,
    owner: g.owner ?? null,
    createdAt: g.creation ?? null,
    participants: g.participants.map((p) => ({
      jid: p.phoneNumber ?? p.id,
      phoneNumber: p.phoneNumber ? (jidDecode(p.phoneNumber)?.user ?? null) : isPnUser(p.id) ? (jidDecode(p.id)?.user ?? null) : null,
      admin: (p.admin as 'admin' | 'superadmin' | null | undefined) ?? null,
    })),
  };
}

/** `proto.WebMessageInfo.Status` → our receipt status (ERROR 0, PENDING 1, SERVER_ACK 2, DELIVERY_ACK 3, READ 4, PLAYED 5). */
export function toReceiptStatus(status: number | null | undefined): MessageStatusUpdate['status'] | null {
  switch (status) {
    case 0:
      return 'FAILED';
    case 2:
      return 'SENT';
    case 3:
      return 'DELIVERED';
    case 4:
      return 'READ';
    case 5:
      return 'PLAYED';
    default:
      return null;
  }
}

/**
 * A status Baileys reports for a message (a receipt's `messages.update`, or the status folded
 * into the upsert of our own send) → our status update, or null when it is not a receipt for
 * a message we sent (another device's read marks, server acks, unknown statuses).
 */
export function toStatusUpdate(
  key: WAMessageKey,
  status: number | null | undefined,
  errorCode?: string,
  at: Date = new Date(),
): MessageStatusUpdate | null {
  if (!key.fromMe || !key.id) return null;
  const mapped = toReceiptStatus(status);
  if (!mapped || mapped === 'SENT') return null;
  return { waMessageId: key.id, chatJid: key.remoteJid ?? '', status: mapped, at, ...(errorCode ? { errorCode } : {}) };
}
