import { jidDecode, type Contact, type proto, type WAMessage } from '@whiskeysockets/baileys';
import { DisconnectReason, type EngineAccount, type InboundText, type MessageStatusUpdate } from '../engine/engine-events';

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

/** A live or offline inbound text, or null for anything else (own sends, stubs, other types). */
export function toInboundText(msg: WAMessage): InboundText | null {
  if (msg.key.fromMe || msg.messageStubType || !msg.key.id || !msg.key.remoteJid) return null;
  const text = textOf(msg.message);
  if (text === null) return null;
  const chatId = msg.key.remoteJid;
  return {
    id: msg.key.id,
    from: msg.key.participant ?? chatId,
    chatId,
    text,
    timestamp: Number(msg.messageTimestamp ?? Math.floor(Date.now() / 1000)),
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
