/**
 * Everything the simulated contacts saw: messages an account sent through Baileys (after
 * the contact decrypted them) and messages contacts sent to accounts, with the receipts
 * flowing either way. Tests wait on it with `waitFor`.
 */
import { proto } from '@whiskeysockets/baileys';

export type ReceiptType = 'delivery' | 'read' | 'played';

export interface MediaInfo {
  /** sha256 (hex) of the decrypted bytes; equals the message's fileSha256 when verified. */
  sha256: string;
  size: number;
  /** True when enc sha256, HMAC and plaintext sha256 all matched. */
  verified: boolean;
  error?: string;
}

export interface SimMessage {
  id: string;
  /** `out`: account → contact (sent by Baileys); `in`: contact → account. */
  direction: 'out' | 'in';
  /** Phone number (digits) of the sender / recipient. */
  from: string;
  to: string;
  /** Account device that sent (out) or the devices it was delivered to (in). */
  fromDevice?: number;
  /**
   * For `out`: the socket the sender's stanza came in on (numbered in order of connection), so a
   * test can tell one process's sends from the next one's on the same account and device.
   */
  connection?: number;
  deliveredToDevices?: number[];
  /** Stanza type attribute (`text`, `media`, `reaction`, `poll`…). */
  stanzaType: string;
  /**
   * Content kind: `text`, `image`, `audio`, `video`, `document`, `sticker`, `reaction`,
   * `edit`, `revoke`, `protocol`, `location`, `contact`, `other`.
   */
  type: string;
  text?: string;
  caption?: string;
  mimetype?: string;
  ptt?: boolean;
  seconds?: number;
  /** Length of the voice-note waveform (Baileys sends 64 samples). */
  waveform?: number;
  fileName?: string;
  /** fileSha256 (hex) and fileLength declared in the message. */
  fileSha256?: string;
  fileLength?: number;
  media?: MediaInfo;
  /** Id of the message this one quotes/reacts to, when any. */
  quotedId?: string;
  reactionText?: string;
  /** Receipts: for `out` the ones the contact sent, for `in` the ones the account sent. */
  receipts: Partial<Record<ReceiptType, string>>;
  /** For `out`: the contact's receipts the account's device acknowledged (acked to the server). */
  receiptAcks?: Partial<Record<ReceiptType, string>>;
  at: string;
  /** The decoded proto.Message, for assertions on anything not flattened above. */
  message?: proto.IMessage;
}

type Waiter = { predicate: (m: SimMessage) => boolean; resolve: (m: SimMessage) => void; reject: (e: Error) => void };

export class MessageLog {
  private readonly items: SimMessage[] = [];
  private readonly byId = new Map<string, SimMessage>();
  private waiters: Waiter[] = [];
  private readonly mediaBytes = new Map<string, Buffer>();

  /** Decrypted media of a message a contact received (kept out of the JSON records). */
  setMediaBytes(id: string, bytes: Buffer): void {
    this.mediaBytes.set(id, bytes);
  }

  getMediaBytes(id: string): Buffer | undefined {
    return this.mediaBytes.get(id);
  }

  add(message: SimMessage): void {
    this.items.push(message);
    this.byId.set(message.id, message);
    this.notify(message);
  }

  /** Re-check waiters after a message changed (e.g. a receipt arrived). */
  notify(message: SimMessage): void {
    const ready = this.waiters.filter((w) => w.predicate(message));
    if (!ready.length) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(message);
  }

  get(id: string): SimMessage | undefined {
    return this.byId.get(id);
  }

  list(filter: { from?: string; to?: string; direction?: 'in' | 'out' } = {}): SimMessage[] {
    return this.items.filter(
      (m) =>
        (!filter.from || m.from === filter.from) &&
        (!filter.to || m.to === filter.to) &&
        (!filter.direction || m.direction === filter.direction),
    );
  }

  count(filter: { from?: string; to?: string; direction?: 'in' | 'out' } = {}): number {
    return this.list(filter).length;
  }

  /** Resolve with the first (existing or future) message matching; reject after timeoutMs. */
  waitFor(predicate: (m: SimMessage) => boolean, timeoutMs = 5000): Promise<SimMessage> {
    const existing = this.items.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`wa-sim: no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Reject all pending waits (simulator stopping). */
  cancelWaiters(): void {
    const pending = this.waiters;
    this.waiters = [];
    for (const w of pending) w.reject(new Error('wa-sim stopped'));
  }
}

const MEDIA_KINDS = ['image', 'audio', 'video', 'document', 'sticker'] as const;

/** Flatten a decoded proto.Message into the fields tests assert on. */
export function summarizeMessage(msg: proto.IMessage): Pick<
  SimMessage,
  'type' | 'text' | 'caption' | 'mimetype' | 'ptt' | 'seconds' | 'waveform' | 'fileName' | 'fileSha256' | 'fileLength' | 'quotedId' | 'reactionText'
> {
  const m = msg.ephemeralMessage?.message ?? msg.viewOnceMessage?.message ?? msg.documentWithCaptionMessage?.message ?? msg;
  if (m.conversation != null) return { type: 'text', text: m.conversation };
  if (m.extendedTextMessage) {
    return { type: 'text', text: m.extendedTextMessage.text ?? '', quotedId: m.extendedTextMessage.contextInfo?.stanzaId ?? undefined };
  }
  if (m.protocolMessage) {
    const p = m.protocolMessage;
    const { REVOKE, MESSAGE_EDIT } = proto.Message.ProtocolMessage.Type;
    const type = p.type === REVOKE ? 'revoke' : p.type === MESSAGE_EDIT ? 'edit' : 'protocol';
    return { type, quotedId: p.key?.id ?? undefined, text: p.editedMessage ? summarizeMessage(p.editedMessage).text : undefined };
  }
  if (m.reactionMessage) {
    return { type: 'reaction', reactionText: m.reactionMessage.text ?? '', quotedId: m.reactionMessage.key?.id ?? undefined };
  }
  for (const kind of MEDIA_KINDS) {
    const media = m[`${kind}Message`] as
      | (proto.Message.IImageMessage & proto.Message.IAudioMessage & proto.Message.IDocumentMessage)
      | null
      | undefined;
    if (!media) continue;
    return {
      type: kind,
      caption: media.caption ?? undefined,
      mimetype: media.mimetype ?? undefined,
      ptt: kind === 'audio' ? !!media.ptt : undefined,
      seconds: media.seconds ?? undefined,
      waveform: media.waveform ? media.waveform.length : undefined,
      fileName: media.fileName ?? undefined,
      fileSha256: media.fileSha256 ? Buffer.from(media.fileSha256).toString('hex') : undefined,
      fileLength: media.fileLength != null ? Number(media.fileLength) : undefined,
      quotedId: media.contextInfo?.stanzaId ?? undefined,
    };
  }
  if (m.locationMessage) return { type: 'location' };
  if (m.contactMessage || m.contactsArrayMessage) return { type: 'contact' };
  return { type: 'other' };
}

/** The media sub-message and its Baileys media type (`getMediaKeys` HKDF info), if any. */
export function mediaOf(msg: proto.IMessage):
  | { kind: (typeof MEDIA_KINDS)[number]; media: proto.Message.IImageMessage & proto.Message.IAudioMessage }
  | undefined {
  const m = msg.ephemeralMessage?.message ?? msg.viewOnceMessage?.message ?? msg.documentWithCaptionMessage?.message ?? msg;
  for (const kind of MEDIA_KINDS) {
    const media = m[`${kind}Message`];
    if (media) return { kind, media: media as proto.Message.IImageMessage & proto.Message.IAudioMessage };
  }
  return undefined;
}
