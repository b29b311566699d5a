import { EngineEmitter } from '../../src/whatsapp/engine/engine-base';
import type { EngineAccount, EngineEvent, InboundMessage } from '../../src/whatsapp/engine/engine-events';
import { EngineSendError, type MessageRef, type NumberCheck, type OutgoingMessage, type PresenceState } from '../../src/whatsapp/engine/outgoing-message';
import {
  EngineCapability,
  type GroupInfo,
  type EngineFactory,
  type EngineKind,
  type EngineSessionOptions,
  type WhatsAppEngine,
  type OwnProfile,
  type OwnProfilePatch,
} from '../../src/whatsapp/engine/whatsapp-engine.port';

/** An engine a test drives by hand: it records calls and emits whatever the test pushes. */
export class FakeWhatsAppEngine extends EngineEmitter implements WhatsAppEngine {
  readonly capabilities = new Set([EngineCapability.QR_LINK]);
  connects = 0;
  disconnects = 0;
  logouts = 0;
  /** Applied on every connect (e.g. emit a QR, or open at once). */
  onConnect: (engine: FakeWhatsAppEngine) => void = (e) => e.push({ type: 'connecting', linked: false });

  constructor(
    readonly kind: EngineKind,
    readonly options: EngineSessionOptions,
  ) {
    super();
  }

  async connect(): Promise<void> {
    this.connects += 1;
    this.onConnect(this);
  }

  async disconnect(): Promise<void> {
    this.disconnects += 1;
  }

  async logout(): Promise<void> {
    this.logouts += 1;
  }

  readonly sent: OutgoingMessage[] = [];
  /** Decides each send: resolve to accept it, throw an EngineSendError to fail it. */
  onSend: (message: OutgoingMessage) => Promise<void> | void = () => undefined;
  ready = false;

  async send(message: OutgoingMessage): Promise<void> {
    if (!this.ready) throw new EngineSendError('not-ready', 'SESSION_NOT_READY', 'fake engine not open');
    await this.onSend(message);
    this.sent.push(message);
  }

  async sendPresence(_jid: string, _state: PresenceState): Promise<void> {}

  readonly readMarks: MessageRef[] = [];

  async markRead(messages: MessageRef[]): Promise<void> {
    this.readMarks.push(...messages);
  }

  async checkNumbers(numbers: string[]): Promise<NumberCheck[]> {
    return numbers.map((input) => ({ input, exists: true, jid: `${input}@s.whatsapp.net` }));
  }

  async downloadMedia(ref: string): Promise<Buffer> {
    return Buffer.from(ref);
  }

  readonly rejectedCalls: string[] = [];

  async rejectCall(callId: string): Promise<void> {
    this.rejectedCalls.push(callId);
  }

  async groups(): Promise<GroupInfo[]> {
    return [];
  }

  async groupMetadata(jid: string): Promise<GroupInfo> {
    throw new EngineSendError('permanent', 'GROUP_NOT_FOUND', jid);
  }

  async ownProfile(): Promise<OwnProfile> {
    return { about: null, pictureUrl: null, business: null };
  }

  async updateOwnProfile(_patch: OwnProfilePatch): Promise<void> {}

  push(event: EngineEvent): void {
    if (event.type === 'open') this.ready = true;
    if (event.type === 'close') this.ready = false;
    this.emit(event);
  }

  /** A contact's message, as the engine hands it over: resolves once it is stored. */
  deliver(message: InboundMessage): Promise<void> {
    return this.receive(message);
  }

  open(account: Partial<EngineAccount> = {}): void {
    this.push({
      type: 'open',
      account: { mobileNumber: '15550001111', mobid: '100000000000001', jid: '15550001111:3@s.whatsapp.net', pushName: 'Fake', ...account },
    });
  }
}

export class FakeEngineFactory implements EngineFactory {
  readonly engines = new Map<string, FakeWhatsAppEngine[]>();
  onConnect?: (engine: FakeWhatsAppEngine) => void;

  create(kind: EngineKind, options: EngineSessionOptions): WhatsAppEngine {
    const engine = new FakeWhatsAppEngine(kind, options);
    if (this.onConnect) engine.onConnect = this.onConnect;
    this.engines.set(options.sessionId, [...(this.engines.get(options.sessionId) ?? []), engine]);
    return engine;
  }

  /** The newest engine created for a session. */
  latest(sessionId: string): FakeWhatsAppEngine {
    const list = this.engines.get(sessionId);
    if (!list?.length) throw new Error(`no engine for ${sessionId}`);
    return list[list.length - 1];
  }
}
