import type { EntityManager } from 'typeorm';
import type { EngineEvent, InboundMessage, MessageStatusUpdate } from './engine-events';
import type { MessageRef, NumberCheck, OutgoingMessage, PresenceState } from './outgoing-message';

export type EngineKind = 'baileys' | 'sandbox';
export type LinkMethod = 'qr' | 'phone';

export enum EngineCapability {
  QR_LINK = 'qr-link',
  PAIRING_CODE = 'pairing-code',
  /** Test/demo controls: link without a phone, inject inbound messages. */
  SANDBOX_CONTROL = 'sandbox-control',
}

export interface EngineSessionOptions {
  sessionId: string;
  method: LinkMethod;
  /** Digits-only number a pairing code is requested for (method `phone`). */
  pairingPhone: string | null;
  /**
   * Run inside every credential write's transaction before it commits; throws when this
   * process may no longer write the session's credentials (its lease moved to another replica).
   */
  writeFence?: WriteFence;
}

/** A check inside a write's transaction that throws when the write must not commit. */
export type WriteFence = (tx: EntityManager) => Promise<void>;

/**
 * One WhatsApp connection of one session. The SessionRegistry is the only caller: it decides
 * when to connect again after a `close` event (the engine never reconnects by itself).
 */
export interface WhatsAppEngine {
  readonly kind: EngineKind;
  readonly capabilities: ReadonlySet<EngineCapability>;

  /**
   * Opens a new connection with the stored credentials (or starts registration when there
   * are none) and resolves once the attempt has begun; progress arrives as events.
   * Closes a previous connection of this engine first.
   */
  connect(): Promise<void>;

  /** Closes the connection without unlinking the device. Emits no `close` event. Idempotent. */
  disconnect(): Promise<void>;

  /** Unlinks the device from the account when connected (best effort), then closes. Emits no `close` event. */
  logout(): Promise<void>;

  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;

  /**
   * Sets where inbound messages are stored (null: nowhere, every message is refused). The
   * engine hands each message a contact sends to the sink and acknowledges it (WhatsApp's
   * delivery receipt, the sandbox's answer) only after the sink resolved.
   */
  setInboundSink(sink: InboundSink | null): void;

  /**
   * Sets where status receipts of sent messages (delivered, read, played) are stored (null:
   * nowhere, every receipt is refused). The engine hands the statuses of each receipt to the
   * sink and acknowledges the receipt to WhatsApp only after the sink resolved; a refused
   * receipt is delivered again by WhatsApp after the next login. Server acks and send
   * failures still arrive as `message.status` events.
   */
  setReceiptSink(sink: ReceiptSink | null): void;

  /**
   * Sends one message with the given WhatsApp id (idempotent for the recipient: a retry with
   * the same id is the same message). Resolves once WhatsApp took it; receipts follow as
   * `message.status` events.
   * @throws EngineSendError
   */
  send(message: OutgoingMessage): Promise<void>;

  /** Typing / recording indicator in a chat. */
  sendPresence(jid: string, state: PresenceState): Promise<void>;

  /** Which digits-only phone numbers have WhatsApp, with their JIDs. */
  checkNumbers(numbers: string[]): Promise<NumberCheck[]>;

  /**
   * Sends read receipts (blue ticks) for received messages; WhatsApp also takes the earlier
   * messages of those chats as read. Idempotent.
   */
  markRead(messages: MessageRef[]): Promise<void>;

  /** Bytes of an inbound media message, from the `ref` in its event. */
  downloadMedia(ref: string): Promise<Buffer>;

  /** Declines an incoming call. */
  rejectCall(callId: string, from: string): Promise<void>;

  /** Groups the account is in (`jid`, subject, participants). */
  groups(): Promise<GroupInfo[]>;

  groupMetadata(jid: string): Promise<GroupInfo>;

  /**
   * The account's own profile as a linked device sees it: about (status) text, profile
   * picture URL, and the business profile (null for a personal account).
   * @throws EngineSendError (not ready)
   */
  ownProfile(): Promise<OwnProfile>;

  /**
   * Changes what a linked device may change of its own profile. Business fields need a
   * business account (the caller checks `ownProfile().business` first).
   * @throws EngineSendError
   */
  updateOwnProfile(patch: OwnProfilePatch): Promise<void>;
}

export interface BusinessProfile {
  description: string | null;
  email: string | null;
  websites: string[];
  address: string | null;
  category: string | null;
}

export interface OwnProfile {
  about: string | null;
  pictureUrl: string | null;
  business: BusinessProfile | null;
}

export interface OwnProfilePatch {
  about?: string;
  /** A JPEG or PNG image (the engine crops and scales it as WhatsApp wants). */
  picture?: Buffer;
  business?: Partial<Pick<BusinessProfile, 'description' | 'email' | 'websites' | 'address'>>;
}

/**
 * Stores one inbound message durably and resolves once it is committed. Engines await it
 * before acknowledging the message; a rejection means "not stored": the message is not
 * acknowledged, so WhatsApp delivers it again. A message stored before must resolve
 * (redeliveries are normal).
 */
export type InboundSink = (message: InboundMessage) => Promise<void>;

/**
 * Stores the statuses of one receipt durably and resolves once they are committed (with their
 * `message.status` events). Engines await it before acknowledging the receipt; a rejection
 * means "not stored": the receipt is not acknowledged, so WhatsApp delivers it again.
 * Statuses only move forward, so a receipt stored before (or one for a message this gateway
 * did not send) must resolve.
 */
export type ReceiptSink = (updates: MessageStatusUpdate[]) => Promise<void>;

export interface GroupInfo {
  jid: string;
  subject: string;
  description: string | null;
  owner: string | null;
  createdAt: number | null;
  participants: { jid: string; phoneNumber: string | null; admin: 'admin' | 'superadmin' | null }[];
}

/** Extra controls of the sandbox engine (capability SANDBOX_CONTROL). */
export interface SandboxControl {
  /** What the sandbox "sent", newest last (bounded). */
  outbox(): readonly OutgoingMessage[];
  /** Completes the link as if the phone had scanned the QR or typed the code. */
  link(phoneNumber?: string): Promise<void>;
  /** Delivers a text from `from` to this session as if a contact had written it. */
  receiveText(from: string, text: string): Promise<{ id: string }>;
  /** An incoming call from `from`. */
  receiveCall(from: string, isVideo: boolean): Promise<{ id: string }>;
  /** Calls this sandbox declined. */
  rejectedCalls(): readonly { id: string; from: string }[];
  /** Messages this sandbox was asked to mark read, oldest first (bounded). */
  readMarks(): readonly MessageRef[];
}

export function isSandboxControl(engine: WhatsAppEngine): engine is WhatsAppEngine & SandboxControl {
  return engine.capabilities.has(EngineCapability.SANDBOX_CONTROL);
}

export interface EngineFactory {
  create(kind: EngineKind, options: EngineSessionOptions): WhatsAppEngine;
}

export const ENGINE_FACTORY = Symbol('ENGINE_FACTORY');
