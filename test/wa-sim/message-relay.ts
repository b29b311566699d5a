/**
 * The messaging half of the server: fans out `<message>` stanzas Baileys sends to the
 * simulated recipients (who decrypt them with their own Signal sessions), relays receipts
 * both ways, and lets contacts send Signal-encrypted messages to accounts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { proto, type MediaType } from '@whiskeysockets/baileys';
import type { Account, Contact, Directory } from './account-store';
import { child, childrenByTag, describeNode, encodeUintBE, unixSeconds, type BinaryNode } from './binary-node';
import type { DeviceConnection } from './device-connection';
import type { ErrorLog } from './error-log';
import type { ConnContext } from './iq-handlers';
import { decryptMedia, encryptMedia } from './media-crypto';
import type { MediaHost } from './media-host';
import { mediaOf, summarizeMessage, type MessageLog, type ReceiptType, type SimMessage } from './message-log';
import type { StanzaRouter } from './stanza-router';

export interface RelayHost {
  directory: Directory;
  errors: ErrorLog;
  messages: MessageLog;
  media: MediaHost;
  /** Logged-in connections of an account (optionally one device). */
  onlineConnections(account: Account, deviceId?: number): DeviceConnection[];
  autoReceipts: { delivery: boolean; read: boolean };
  /** Delay before automatic receipts (a real phone takes a moment). */
  autoReceiptDelayMs: number;
}

/** What a contact can send; media buffers are encrypted and put on the media host. */
export type ContactContent =
  | string
  | { text: string }
  | { image: Buffer; mimetype?: string; caption?: string }
  | { audio: Buffer; mimetype?: string; ptt?: boolean; seconds?: number }
  | { document: Buffer; mimetype?: string; fileName?: string; caption?: string };

export interface ContactSendOptions {
  /** `pn` (default): from="PN@s.whatsapp.net" sender_lid=…; `lid`: from="LID@lid" sender_pn=… */
  addressing?: 'pn' | 'lid';
  id?: string;
}

/** A contact's message for a linked device, encrypted when delivered. */
interface QueuedInbound {
  kind: 'inbound';
  record: SimMessage;
  contact: Contact;
  message: proto.IMessage;
  stanzaType: string;
  mediatype?: string;
  addressing: 'pn' | 'lid';
}

/**
 * What the server holds for a linked device that is offline, delivered after its next
 * login with offline="1" (Baileys processes those through its offline node queue).
 */
type QueuedItem = QueuedInbound | { kind: 'stanza'; node: BinaryNode };

function newMessageId(): string {
  // Phones use 32 upper-case hex ids (Baileys uses 3EB0… for its own sends).
  return randomBytes(16).toString('hex').toUpperCase();
}

export class MessageRelay {
  private readonly offlineQueue = new Map<string, QueuedItem[]>();
  /**
   * Inbound messages a device was sent but has not acknowledged with a receipt yet. As on
   * WhatsApp's server, they are kept: when the connection ends first they go back to the
   * front of the device's offline queue and are delivered again after its next login.
   */
  private readonly unacknowledged = new Map<string, Map<string, QueuedInbound>>();
  /**
   * Status receipts (delivery/read/played) a device was sent but has not acked yet, by
   * `id:type`. Like unacknowledged messages, they are delivered again after its next login.
   */
  private readonly unackedReceipts = new Map<string, Map<string, BinaryNode>>();

  constructor(private readonly host: RelayHost) {}

  register(router: StanzaRouter<ConnContext>): void {
    // relayMessage (lib/Socket/messages-send.js): <message id to type><participants><to jid><enc/>…
    router.on({ tag: 'message' }, (node, ctx) => this.onClientMessage(node, ctx));
    // sendReceipt (lib/Socket/messages-send.js): delivery ("inactive" while not online), read, …
    router.on({ tag: 'receipt' }, (node, ctx) => this.onClientReceipt(node, ctx));
    // buildAckStanza (lib/Utils/stanza-ack.js): acks for our receipts/notifications/messages.
    // An ack carrying `error` is Baileys refusing something we sent: that is loud.
    router.on({ tag: 'ack' }, (node, ctx) => {
      if (node.attrs.error) {
        this.host.errors.record('client-nack', `Baileys nacked ${node.attrs.class} ${node.attrs.id} with error ${node.attrs.error}`, {
          stanza: describeNode(node),
          device: ctx.deviceLabel,
        });
      } else if (node.attrs.class === 'receipt') {
        this.onReceiptAcked(node, ctx);
      }
    });
  }

  // ---- account → recipients ------------------------------------------------------------

  private async onClientMessage(node: BinaryNode, ctx: ConnContext): Promise<void> {
    const { conn } = ctx;
    const account = conn.account;
    if (!account || conn.deviceId === undefined) throw new Error('message from a connection that is not logged in');
    const { id, to } = node.attrs;
    // The server acks every message stanza (lib/Socket/messages-recv.js handleBadAck only
    // acts on acks carrying `error`).
    ctx.reply({ tag: 'ack', attrs: { class: 'message', id, from: to, t: unixSeconds() } });

    const targets: Array<{ jid: string; enc: BinaryNode }> = [];
    for (const toNode of childrenByTag(child(node, 'participants'), 'to')) {
      const enc = child(toNode, 'enc');
      if (enc) targets.push({ jid: toNode.attrs.jid, enc });
    }
    // Peer messages (category="peer") and retry resends carry a bare <enc> for `to`.
    const bare = child(node, 'enc');
    if (bare) targets.push({ jid: to, enc: bare });
    if (child(node, 'plaintext')) {
      this.host.errors.record('unknown-stanza', 'plaintext 1:1 messages are not simulated', { stanza: describeNode(node), device: ctx.deviceLabel });
    }

    const senderLid = account.lidJid(conn.deviceId);
    for (const { jid, enc } of targets) {
      const r = this.host.directory.resolve(jid);
      const type = enc.attrs.type;
      if (type !== 'pkmsg' && type !== 'msg') {
        this.host.errors.record('unknown-stanza', `enc type "${type}" to ${jid} is not simulated`, { stanza: describeNode(node), device: ctx.deviceLabel });
        continue;
      }
      const ciphertext = enc.content as Uint8Array;
      if (r?.kind === 'contact' && r.device === 0) {
        await this.recipientReceives({ contact: r.contact }, account, conn.deviceId, conn.id, node, type, ciphertext, senderLid);
      } else if (r?.kind === 'account' && r.device === 0 && r.account === account) {
        // Own primary phone: the deviceSentMessage copy Baileys sends to "me".
        try {
          await account.phone.party.decryptMessage(senderLid, type, ciphertext);
        } catch (err) {
          this.host.errors.record('decrypt-failed', `own phone ${account.phoneNumber} could not decrypt ${id}: ${(err as Error).message}`, { device: ctx.deviceLabel });
        }
      } else if (r?.kind === 'account' && r.device === 0) {
        // Another simulated account's phone: recorded like a contact's message.
        await this.recipientReceives({ account: r.account }, account, conn.deviceId, conn.id, node, type, ciphertext, senderLid);
      } else if (r?.kind === 'account') {
        this.forwardToCompanion(r.account, r.device, account, conn.deviceId, node, enc);
      } else {
        this.host.errors.record('unknown-recipient', `message ${id} addressed to unknown device ${jid}`, { device: ctx.deviceLabel });
      }
    }
  }

  /** Another companion of the same (or another) account gets the stanza as routed by the server. */
  private forwardToCompanion(target: Account, deviceId: number, sender: Account, senderDevice: number, node: BinaryNode, enc: BinaryNode): void {
    const [conn] = this.host.onlineConnections(target, deviceId);
    if (!conn) return; // offline companions: not queued for companion-to-companion traffic
    const own = target === sender;
    conn.send({
      tag: 'message',
      attrs: {
        from: sender.pnJid(senderDevice),
        ...(own ? { recipient: node.attrs.to } : { sender_lid: sender.lidJid(), notify: sender.phoneNumber }),
        id: node.attrs.id,
        t: unixSeconds(),
        type: node.attrs.type,
      },
      content: [enc],
    });
  }

  private async recipientReceives(
    recipient: { contact: Contact } | { account: Account },
    sender: Account,
    senderDevice: number,
    connection: number,
    node: BinaryNode,
    type: 'pkmsg' | 'msg',
    ciphertext: Uint8Array,
    senderLid: string,
  ): Promise<void> {
    const id = node.attrs.id;
    const party = 'contact' in recipient ? recipient.contact.party : recipient.account.phone.party;
    const recipientPhone = 'contact' in recipient ? recipient.contact.phoneNumber : recipient.account.phoneNumber;
    let message: proto.IMessage;
    try {
      message = await party.decryptMessage(senderLid, type, ciphertext);
    } catch (err) {
      this.host.errors.record('decrypt-failed', `${recipientPhone} could not decrypt ${id} (${type}): ${(err as Error).message}`, {
        device: `${sender.phoneNumber}:${senderDevice}`,
      });
      return;
    }
    const record: SimMessage = {
      id,
      direction: 'out',
      from: sender.phoneNumber,
      to: recipientPhone,
      fromDevice: senderDevice,
      connection,
      stanzaType: node.attrs.type,
      ...summarizeMessage(message),
      receipts: {},
      at: new Date().toISOString(),
      message,
    };
    const media = mediaOf(message);
    if (media) record.media = await this.fetchMedia(id, media.kind, media.media);
    this.replyAddress.set(id, { account: sender, from: node.attrs.to, recipient: 'contact' in recipient ? undefined : recipient.account });
    this.host.messages.add(record);
    const { delivery, read } = this.host.autoReceipts;
    if (delivery || read) {
      const timer = setTimeout(() => {
        if (delivery) this.sendReceiptToAccount(record, 'delivery');
        if (read) this.sendReceiptToAccount(record, 'read');
      }, this.host.autoReceiptDelayMs);
      timer.unref?.();
    }
  }

  private async fetchMedia(id: string, kind: MediaType, m: proto.Message.IImageMessage): Promise<SimMessage['media']> {
    const blob = m.directPath ? this.host.media.get(m.directPath) : m.url ? this.host.media.get(m.url) : undefined;
    if (!blob) return { sha256: '', size: 0, verified: false, error: `media ${m.directPath ?? m.url} not on the media host` };
    if (!m.mediaKey) return { sha256: '', size: 0, verified: false, error: 'message has no mediaKey' };
    try {
      const plain = await decryptMedia(blob.bytes, m.mediaKey, kind, m);
      this.host.messages.setMediaBytes(id, plain);
      return { sha256: createHash('sha256').update(plain).digest('hex'), size: plain.length, verified: true };
    } catch (err) {
      this.host.errors.record('media-failed', `media of ${kind} message failed verification: ${(err as Error).message}`);
      return { sha256: '', size: 0, verified: false, error: (err as Error).message };
    }
  }

  // ---- receipts contact → account --------------------------------------------------------

  /** For each outbound message: which account it came from and the `to` jid Baileys used. */
  private readonly replyAddress = new Map<string, { account: Account; from: string; recipient?: Account }>();

  /**
   * `<receipt from=… id t [type]>` as the recipient's phone would send it. Baileys maps
   * it in handleReceipt (lib/Socket/messages-recv.js) to messages.update with status
   * DELIVERY_ACK (no type), READ ("read") or PLAYED ("played"). `from` echoes the jid
   * Baileys addressed, so `key.remoteJid` matches the key of the sent message.
   */
  sendReceiptToAccount(record: SimMessage, type: ReceiptType): void {
    const route = this.replyAddress.get(record.id);
    if (!route) throw new Error(`message ${record.id} was not sent by an account to a contact`);
    const node: BinaryNode = {
      tag: 'receipt',
      attrs: { from: route.from, id: record.id, t: unixSeconds(), ...(type === 'delivery' ? {} : { type }) },
    };
    // Every linked device of the sender gets it; offline ones after their next login.
    for (const device of route.account.devices.values()) {
      const [conn] = this.host.onlineConnections(route.account, device.id);
      if (conn) this.sendStanza(route.account, device.id, conn, node);
      else this.queueKey(route.account, device.id).push({ kind: 'stanza', node });
    }
    record.receipts[type] = new Date().toISOString();
    this.host.messages.notify(record);
  }

  /**
   * The contact's phone could not decrypt message `record.id` and asks the sending device
   * for it again, as Baileys' own sendRetryRequest builds it (lib/Socket/messages-recv.js):
   * `<receipt type="retry" from id t><retry count id t v/><registration/></receipt>`, from
   * the jid Baileys addressed. Baileys answers in sendMessagesAgain with what its 5-minute
   * recent-message cache or `getMessage` returns, re-encrypted under the same id; that copy
   * is recorded as another `out` record with that id (nothing comes when it has no message).
   */
  sendRetryReceiptToAccount(record: SimMessage, count = 1): void {
    const route = this.replyAddress.get(record.id);
    const contact = this.host.directory.contact(record.to);
    if (!route || route.recipient || !contact) throw new Error(`message ${record.id} was not sent by an account to a contact`);
    const t = unixSeconds();
    const node: BinaryNode = {
      tag: 'receipt',
      attrs: { from: route.from, id: record.id, t, type: 'retry' },
      content: [
        { tag: 'retry', attrs: { count: String(count), id: record.id, t, v: '1', error: '0' } },
        { tag: 'registration', attrs: {}, content: encodeUintBE(contact.party.registrationId, 4) },
      ],
    };
    // Only the device that sent the message can re-send it; offline, it gets this on login.
    const deviceId = record.fromDevice ?? 0;
    const [conn] = this.host.onlineConnections(route.account, deviceId);
    if (conn) conn.send(node);
    else this.queueKey(route.account, deviceId).push({ kind: 'stanza', node });
  }

  // ---- receipts account → contact --------------------------------------------------------

  private onClientReceipt(node: BinaryNode, ctx: ConnContext): void {
    const ids = [node.attrs.id, ...childrenByTag(child(node, 'list'), 'item').map((i) => i.attrs.id)];
    const type = node.attrs.type;
    // The server acknowledges every receipt it accepts.
    ctx.reply({ tag: 'ack', attrs: { class: 'receipt', id: node.attrs.id, from: node.attrs.to, ...(type ? { type } : {}) } });
    if (type === 'retry') {
      this.host.errors.record('client-retry', `Baileys could not decrypt ${node.attrs.id} from ${node.attrs.to} and asked for a retry`, {
        stanza: describeNode(node),
        device: ctx.deviceLabel,
      });
      return;
    }
    let kind: ReceiptType | undefined;
    if (!type || type === 'inactive' || type === 'delivery') kind = 'delivery';
    else if (type === 'read' || type === 'read-self') kind = 'read';
    else if (type === 'played' || type === 'played-self') kind = 'played';
    else return; // sender, peer_msg, hist_sync: device bookkeeping, nothing to record
    const conn = ctx.conn;
    if (conn.account && conn.deviceId !== undefined && (kind === 'delivery' || kind === 'read')) {
      const pending = this.unacknowledged.get(`${conn.account.phoneNumber}:${conn.deviceId}`);
      for (const id of ids) pending?.delete(id);
    }
    for (const id of ids) {
      const record = this.host.messages.get(id);
      if (record && record.direction === 'in') {
        record.receipts[kind] ??= new Date().toISOString();
        this.host.messages.notify(record);
      } else if (record && record.direction === 'out' && this.replyAddress.get(id)?.recipient === ctx.conn.account) {
        // Account → account: the recipient's companion acknowledges; relay it to the sender.
        if (!record.receipts[kind]) this.sendReceiptToAccount(record, kind);
      }
    }
  }

  // ---- contact → account -----------------------------------------------------------------

  async contactSend(contact: Contact, account: Account, content: ContactContent, opts: ContactSendOptions = {}): Promise<SimMessage> {
    const { message, stanzaType, mediatype } = await this.buildContactMessage(content);
    const addressing = opts.addressing ?? 'pn';
    const record: SimMessage = {
      id: opts.id ?? newMessageId(),
      direction: 'in',
      from: contact.phoneNumber,
      to: account.phoneNumber,
      deliveredToDevices: [],
      stanzaType,
      ...summarizeMessage(message),
      receipts: {},
      at: new Date().toISOString(),
      message,
    };
    this.host.messages.add(record);
    const item: QueuedInbound = { kind: 'inbound', record, contact, message, stanzaType, mediatype, addressing };
    for (const device of account.devices.values()) {
      const [conn] = this.host.onlineConnections(account, device.id);
      if (conn) await this.deliverInbound(account, device.id, conn, item, false);
      else this.queueKey(account, device.id).push(item);
    }
    return record;
  }

  private queueKey(account: Account, deviceId: number): QueuedItem[] {
    const key = `${account.phoneNumber}:${deviceId}`;
    let q = this.offlineQueue.get(key);
    if (!q) this.offlineQueue.set(key, (q = []));
    return q;
  }

  /** Called right after `<success>`: deliver what arrived while the device was away. */
  async flushOffline(account: Account, deviceId: number, conn: DeviceConnection): Promise<number> {
    const key = `${account.phoneNumber}:${deviceId}`;
    const q = this.offlineQueue.get(key) ?? [];
    this.offlineQueue.delete(key);
    for (const item of q) {
      if (item.kind === 'inbound') await this.deliverInbound(account, deviceId, conn, item, true);
      else this.sendStanza(account, deviceId, conn, { ...item.node, attrs: { ...item.node.attrs, offline: '1' } });
    }
    return q.length;
  }

  /** Sends a queued or relayed stanza; a status receipt is kept until the device acks it. */
  private sendStanza(account: Account, deviceId: number, conn: DeviceConnection, node: BinaryNode): void {
    conn.send(node);
    if (node.tag !== 'receipt' || node.attrs.type === 'retry') return;
    const key = `${account.phoneNumber}:${deviceId}`;
    let pending = this.unackedReceipts.get(key);
    if (!pending) this.unackedReceipts.set(key, (pending = new Map()));
    const { offline: _offline, ...attrs } = node.attrs;
    pending.set(`${node.attrs.id}:${node.attrs.type ?? 'delivery'}`, { ...node, attrs });
  }

  /** `<ack class="receipt" id [type]>` (buildAckStanza): the device took the receipt. */
  private onReceiptAcked(node: BinaryNode, ctx: ConnContext): void {
    const { conn } = ctx;
    if (!conn.account || conn.deviceId === undefined) return;
    const type = (node.attrs.type ?? 'delivery') as ReceiptType;
    const pending = this.unackedReceipts.get(`${conn.account.phoneNumber}:${conn.deviceId}`);
    if (!pending?.delete(`${node.attrs.id}:${type}`)) return;
    const record = this.host.messages.get(node.attrs.id);
    if (!record) return;
    (record.receiptAcks ??= {})[type] ??= new Date().toISOString();
    this.host.messages.notify(record);
  }

  /**
   * The phone's initial history sync for a freshly linked companion: a peer message from
   * device 0 with `protocolMessage.historySyncNotification` (INITIAL_BOOTSTRAP) carrying the
   * zlib-compressed HistorySync inline (the companion asked for that with
   * `inlineInitialPayloadInE2EeMsg` at registration). Without it, Baileys' default config
   * buffers all events for 20 s after the first login (AwaitingInitialSync,
   * lib/Socket/chats.js). The payload holds no chats, only PN↔LID mappings of contacts.
   */
  async sendInitialHistorySync(account: Account, deviceId: number, conn: DeviceConnection): Promise<void> {
    const history = proto.HistorySync.encode({
      syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
      conversations: [],
      phoneNumberToLidMappings: this.host.directory.contacts().map((c) => ({ pnJid: c.pnJid(), lidJid: c.lidJid() })),
    }).finish();
    const message: proto.IMessage = {
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
        historySyncNotification: {
          syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
          initialHistBootstrapInlinePayload: deflateSync(history),
          chunkOrder: 0,
          progress: 100,
        },
      },
    };
    const deviceLid = account.lidJid(deviceId);
    const phone = account.phone.party;
    if (!(await phone.hasSession(deviceLid))) {
      const bundle = account.takeDeviceBundle(deviceId);
      if (!bundle) throw new Error(`device ${account.phoneNumber}:${deviceId} has no keys`);
      await phone.injectSession(deviceLid, bundle);
    }
    const { type, ciphertext } = await phone.encryptMessage(deviceLid, message);
    conn.send({
      tag: 'message',
      attrs: { from: account.pnJid(), id: newMessageId(), t: unixSeconds(), type: 'text', category: 'peer' },
      content: [{ tag: 'enc', attrs: { v: '2', type }, content: ciphertext }],
    });
  }

  forgetDevice(account: Account, deviceId: number): void {
    this.offlineQueue.delete(`${account.phoneNumber}:${deviceId}`);
    this.unacknowledged.delete(`${account.phoneNumber}:${deviceId}`);
    this.unackedReceipts.delete(`${account.phoneNumber}:${deviceId}`);
  }

  /**
   * The device's connection ended: what it was sent but never acknowledged (a crash between
   * receiving and the receipt), and the status receipts it never acked, are delivered again,
   * first, after its next login.
   */
  connectionEnded(account: Account, deviceId: number): void {
    const key = `${account.phoneNumber}:${deviceId}`;
    const pending = this.unacknowledged.get(key);
    this.unacknowledged.delete(key);
    const receipts = this.unackedReceipts.get(key);
    this.unackedReceipts.delete(key);
    if (!account.devices.has(deviceId)) return;
    const again: QueuedItem[] = [...(pending?.values() ?? []), ...[...(receipts?.values() ?? [])].map((node) => ({ kind: 'stanza' as const, node }))];
    if (again.length) this.queueKey(account, deviceId).unshift(...again);
  }

  private async deliverInbound(account: Account, deviceId: number, conn: DeviceConnection, item: QueuedInbound, offline: boolean): Promise<void> {
    const { contact, record } = item;
    const deviceLid = account.lidJid(deviceId);
    // A contact builds a session from the device's uploaded bundle the first time
    // (→ pkmsg), then keeps using it (→ msg), like any Signal client.
    if (!(await contact.party.hasSession(deviceLid))) {
      const bundle = account.takeDeviceBundle(deviceId);
      if (!bundle) throw new Error(`device ${account.phoneNumber}:${deviceId} has no keys`);
      await contact.party.injectSession(deviceLid, bundle);
    }
    const { type, ciphertext } = await contact.party.encryptMessage(deviceLid, item.message);
    const addressingAttrs: Record<string, string> =
      item.addressing === 'lid'
        ? { from: contact.lidJid(), sender_pn: contact.pnJid(), addressing_mode: 'lid' }
        : { from: contact.pnJid(), sender_lid: contact.lidJid() };
    conn.send({
      tag: 'message',
      attrs: {
        ...addressingAttrs,
        id: record.id,
        t: Math.floor(Date.parse(record.at) / 1000).toString(),
        type: item.stanzaType,
        notify: contact.name,
        ...(offline ? { offline: '1' } : {}),
      },
      content: [{ tag: 'enc', attrs: { v: '2', type, ...(item.mediatype ? { mediatype: item.mediatype } : {}) }, content: ciphertext }],
    });
    record.deliveredToDevices!.push(deviceId);
    const key = `${account.phoneNumber}:${deviceId}`;
    let pending = this.unacknowledged.get(key);
    if (!pending) this.unacknowledged.set(key, (pending = new Map()));
    pending.set(record.id, item);
    this.host.messages.notify(record);
  }

  private async buildContactMessage(content: ContactContent): Promise<{ message: proto.IMessage; stanzaType: string; mediatype?: string }> {
    if (typeof content === 'string') return { message: { conversation: content }, stanzaType: 'text' };
    if ('text' in content) return { message: { conversation: content.text }, stanzaType: 'text' };
    const upload = async (bytes: Buffer, type: MediaType) => {
      const enc = await encryptMedia(bytes, type);
      const { url, directPath } = this.host.media.put(enc.blob, type);
      return {
        url,
        directPath,
        mediaKey: enc.mediaKey,
        fileSha256: enc.fileSha256,
        fileEncSha256: enc.fileEncSha256,
        fileLength: enc.fileLength,
        mediaKeyTimestamp: Math.floor(Date.now() / 1000),
      };
    };
    if ('image' in content) {
      const m = await upload(content.image, 'image');
      return {
        message: { imageMessage: { ...m, mimetype: content.mimetype ?? 'image/jpeg', caption: content.caption } },
        stanzaType: 'media',
        mediatype: 'image',
      };
    }
    if ('audio' in content) {
      const m = await upload(content.audio, 'audio');
      const ptt = content.ptt ?? true;
      return {
        message: {
          audioMessage: { ...m, mimetype: content.mimetype ?? 'audio/ogg; codecs=opus', ptt, seconds: content.seconds ?? 1 },
        },
        stanzaType: 'media',
        mediatype: ptt ? 'ptt' : 'audio',
      };
    }
    if ('document' in content) {
      const m = await upload(content.document, 'document');
      return {
        message: {
          documentMessage: {
            ...m,
            mimetype: content.mimetype ?? 'application/octet-stream',
            fileName: content.fileName ?? 'file',
            caption: content.caption,
          },
        },
        stanzaType: 'media',
        mediatype: 'document',
      };
    }
    throw new Error('unsupported contact content');
  }
}
