import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { AuthStateStore } from '../auth-state/auth-state.store';
import { EngineEmitter } from '../engine/engine-base';
import type { EngineAccount, MessageStatusUpdate } from '../engine/engine-events';
import { EngineSendError, type MessageRef, type NumberCheck, type OutgoingMessage, type PresenceState } from '../engine/outgoing-message';
import {
  EngineCapability,
  type EngineSessionOptions,
  type GroupInfo,
  type SandboxControl,
  type WhatsAppEngine,
  type OwnProfile,
  type OwnProfilePatch,
} from '../engine/whatsapp-engine.port';

interface SandboxCreds {
  engine: 'sandbox';
  account: EngineAccount;
}

const CAPABILITIES = new Set([EngineCapability.QR_LINK, EngineCapability.PAIRING_CODE, EngineCapability.SANDBOX_CONTROL]);

export interface SandboxOptions {
  /** Delay before each automatic receipt (delivered, then read, then played); 0 = none. */
  receiptDelayMs: number;
  /** Appends one JSON line per accepted send (survives crashes; used by restart tests). */
  sendLogPath?: string;
}

const OUTBOX_LIMIT = 1000;

/**
 * An engine with no network, for trying the product and for tests of everything above the
 * engine. It shows a real (scannable, but meaningless) QR, links when told to, keeps its
 * "credentials" in the same auth-state table as Baileys so restarts behave alike, and
 * "sends" instantly, reporting delivered, read (and played for voice notes) afterwards.
 *
 * Recipients whose number ends in 0000 are not on WhatsApp (a permanent failure); numbers
 * ending in 9999 fail transiently, so the queue's retry path can be tried.
 */
export class SandboxEngine extends EngineEmitter implements WhatsAppEngine, SandboxControl {
  readonly kind = 'sandbox' as const;
  readonly capabilities = CAPABILITIES;
  private connected = false;
  private account: EngineAccount | null = null;
  private readonly sent: OutgoingMessage[] = [];
  private readonly rejected: { id: string; from: string }[] = [];
  private readonly marked: MessageRef[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly options: EngineSessionOptions,
    private readonly store: AuthStateStore,
    private readonly sandbox: SandboxOptions = { receiptDelayMs: 500 },
  ) {
    super();
  }

  async connect(): Promise<void> {
    const stored = await this.store.readCreds(this.options.sessionId);
    const creds = stored ? (JSON.parse(stored) as SandboxCreds) : null;
    this.connected = true;
    this.emit({ type: 'connecting', linked: Boolean(creds) });
    if (creds) {
      this.account = creds.account;
      setImmediate(() => this.connected && this.emit({ type: 'open', account: creds.account }));
      return;
    }
    setImmediate(() => {
      if (!this.connected) return;
      if (this.options.method === 'phone') {
        this.emit({ type: 'pairing-code', code: randomBytes(4).toString('hex').toUpperCase() });
      } else {
        // Same shape as a real WhatsApp QR: link URL with ref, noise key, identity key, adv secret.
        const b64 = () => randomBytes(32).toString('base64');
        this.emit({ type: 'qr', qr: `https://wa.me/settings/linked_devices#2@${randomBytes(16).toString('base64')},${b64()},${b64()},${b64()},1` });
      }
    });
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    this.account = null;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  async send(message: OutgoingMessage): Promise<void> {
    if (!this.connected || !this.account) throw new EngineSendError('not-ready', 'SESSION_NOT_READY', 'The sandbox session is not linked');
    const user = message.to.split('@')[0];
    if (message.to.endsWith('@s.whatsapp.net') && user.endsWith('0000')) {
      throw new EngineSendError('permanent', 'RECIPIENT_NOT_ON_WHATSAPP', `${user} is not on WhatsApp`);
    }
    if (user.endsWith('9999')) throw new EngineSendError('transient', 'ENGINE_TEMPORARY_FAILURE', 'Simulated transient failure');
    this.sent.push(message);
    if (this.sent.length > OUTBOX_LIMIT) this.sent.shift();
    if (this.sandbox.sendLogPath) {
      appendFileSync(this.sandbox.sendLogPath, `${JSON.stringify({ sessionId: this.options.sessionId, id: message.id, to: message.to })}\n`);
    }
    const receipts: MessageStatusUpdate['status'][] = ['DELIVERED', 'READ'];
    if (message.content.kind === 'voice') receipts.push('PLAYED');
    if (message.content.kind === 'reaction') return;
    const delay = this.sandbox.receiptDelayMs;
    if (delay <= 0) return;
    receipts.forEach((status, i) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.connected) return;
        const update: MessageStatusUpdate = { waMessageId: message.id, chatJid: message.to, status, at: new Date() };
        // Through the receipt sink, as WhatsApp's receipts; one it refused is recorded in the
        // background instead (there is no server here to deliver it again).
        this.recordReceipts([update]).catch(() => this.emit({ type: 'message.status', update }));
      }, delay * (i + 1));
      this.timers.add(timer);
    });
  }

  async sendPresence(_jid: string, _state: PresenceState): Promise<void> {
    if (!this.connected || !this.account) throw new EngineSendError('not-ready', 'SESSION_NOT_READY', 'The sandbox session is not linked');
  }

  /** Nobody reads the blue ticks in the sandbox: the marks are only recorded. */
  async markRead(messages: MessageRef[]): Promise<void> {
    if (!this.connected || !this.account) throw new EngineSendError('not-ready', 'SESSION_NOT_READY', 'The sandbox session is not linked');
    this.marked.push(...messages);
    if (this.marked.length > OUTBOX_LIMIT) this.marked.splice(0, this.marked.length - OUTBOX_LIMIT);
  }

  readMarks(): readonly MessageRef[] {
    return this.marked;
  }

  async checkNumbers(numbers: string[]): Promise<NumberCheck[]> {
    return numbers.map((input) => {
      const exists = !input.endsWith('0000');
      return { input, exists, jid: exists ? `${input}@s.whatsapp.net` : null };
    });
  }

  outbox(): readonly OutgoingMessage[] {
    return this.sent;
  }

  async logout(): Promise<void> {
    await this.disconnect();
  }

  async link(phoneNumber?: string): Promise<void> {
    if (!this.connected) throw new AppError(ErrorCode.SESSION_INACTIVE, 'The sandbox session is not running');
    if (this.account) throw new AppError(ErrorCode.SESSION_ALREADY_LINKED, 'The sandbox session is already linked');
    const mobileNumber = phoneNumber ?? this.options.pairingPhone ?? `1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const account: EngineAccount = {
      mobileNumber,
      mobid: sandboxLid(mobileNumber),
      jid: `${mobileNumber}:1@s.whatsapp.net`,
      pushName: 'Sandbox',
    };
    const creds: SandboxCreds = { engine: 'sandbox', account };
    await this.store.writeCreds(this.options.sessionId, JSON.stringify(creds), this.options.writeFence);
    this.account = account;
    this.emit({ type: 'open', account });
  }

  async receiveText(from: string, text: string): Promise<{ id: string }> {
    if (!this.connected || !this.account) throw new AppError(ErrorCode.SESSION_NOT_READY, 'The sandbox session is not linked');
    const id = `SANDBOX${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const jid = `${from}@s.whatsapp.net`;
    // Answered only once stored, as WhatsApp's delivery receipt is sent only then.
    await this.receive({ id, chatJid: jid, senderJid: jid, senderPhone: from, pushName: null, timestamp: Math.floor(Date.now() / 1000), type: 'text', text });
    return { id };
  }

  async receiveCall(from: string, isVideo: boolean): Promise<{ id: string }> {
    if (!this.connected || !this.account) throw new AppError(ErrorCode.SESSION_NOT_READY, 'The sandbox session is not linked');
    const id = randomBytes(16).toString('hex').toUpperCase();
    this.emit({ type: 'call', call: { id, from: `${from}@s.whatsapp.net`, fromPhone: from, isVideo, isGroup: false, at: new Date() } });
    return { id };
  }

  rejectedCalls(): readonly { id: string; from: string }[] {
    return this.rejected;
  }

  async rejectCall(callId: string, from: string): Promise<void> {
    this.rejected.push({ id: callId, from });
  }

  async downloadMedia(_ref: string): Promise<Buffer> {
    throw new EngineSendError('permanent', 'MEDIA_MISSING', 'The sandbox has no inbound media');
  }

  async groups(): Promise<GroupInfo[]> {
    if (!this.account) throw new EngineSendError('not-ready', 'SESSION_NOT_READY', 'The sandbox session is not linked');
    const me = this.account.mobileNumber;
    return [1, 2].map((n) => ({
      jid: `12036300000000000${n}@g.us`,
      subject: `Sandbox group ${n}`,
      description: n === 1 ? 'A group the sandbox account is in' : null,
      owner: `${me}@s.whatsapp.net`,
      createdAt: 1_700_000_000 + n,
      participants: [
        { jid: `${me}@s.whatsapp.net`, phoneNumber: me, admin: 'superadmin' as const },
        { jid: `1555000100${n}@s.whatsapp.net`, phoneNumber: `1555000100${n}`, admin: null },
      ],
    }));
  }

  /** The sandbox account's profile: about text and picture as last set, a personal account (no business profile). */
  private profile: { about: string | null; picture: Buffer | null } = { about: 'Hey there! I am using WhatsApp.', picture: null };

  async ownProfile(): Promise<OwnProfile> {
    if (!this.connected || !this.account) throw new EngineSendError('not-ready', 'SESSION_NOT_READY', 'The sandbox session is not linked');
    return { about: this.profile.about, pictureUrl: this.profile.picture ? `https://sandbox.invalid/profile/${this.account.mobileNumber}.jpg` : null, business: null };
  }

  async updateOwnProfile(patch: OwnProfilePatch): Promise<void> {
    if (!this.connected || !this.account) throw new EngineSendError('not-ready', 'SESSION_NOT_READY', 'The sandbox session is not linked');
    if (patch.business && Object.keys(patch.business).length) throw new EngineSendError('permanent', 'NOT_A_BUSINESS_ACCOUNT', 'The sandbox account is a personal account');
    if (patch.about !== undefined) this.profile.about = patch.about;
    if (patch.picture) this.profile.picture = patch.picture;
  }

  async groupMetadata(jid: string): Promise<GroupInfo> {
    const group = (await this.groups()).find((g) => g.jid === jid);
    if (!group) throw new EngineSendError('permanent', 'GROUP_NOT_FOUND', `Not a member of ${jid}`);
    return group;
  }
}

/** A stable 15-digit LID-like id per phone number, as real accounts have. */
function sandboxLid(mobileNumber: string): string {
  const digest = createHash('sha256').update(`sandbox-lid:${mobileNumber}`).digest();
  return (BigInt(`0x${digest.subarray(0, 8).toString('hex')}`) % 900_000_000_000_000n + 100_000_000_000_000n).toString();
}
