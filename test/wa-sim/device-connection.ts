/**
 * One WebSocket connection from a Baileys socket, after the Noise handshake: either a
 * companion registering (QR / pairing code) or a linked device logged in.
 */
import type { proto } from '@whiskeysockets/baileys';
import type { WebSocket } from 'ws';
import type { Account } from './account-store';
import { SERVER_JID, type BinaryNode } from './binary-node';
import type { NoiseIdentity } from './noise-cert';
import { NoiseServerSession, type NoiseSessionEvents } from './noise-server';

/** What a registering companion told us in `ClientPayload.devicePairingData`. */
export interface PendingRegistration {
  refs: string[];
  noisePublic: Buffer;
  identityPublic: Buffer;
  registrationId: number;
  signedPreKey: { keyId: number; public: Buffer; signature: Buffer };
  platform: string;
  /** Set by `<link_code_companion_reg stage=companion_hello>` (pairing-code linking). */
  pairingCode?: {
    phoneNumber: string;
    /** Every companion_hello's wrapped ephemeral key (each requestPairingCode sends one). */
    wrappedCompanionEphemerals: Buffer[];
    ref: string;
  };
  /** Set while the phone waits for companion_finish. */
  onCompanionFinish?: (node: BinaryNode) => void;
  /** Set while a scan/pair is in progress so two phones cannot claim one companion. */
  claimed?: boolean;
}

let nextConnectionId = 1;
let nextServerTag = 1;

export interface ConnectionHooks {
  onHandshake(conn: DeviceConnection, payload: proto.ClientPayload, clientStatic: Buffer): void;
  onNode(conn: DeviceConnection, node: BinaryNode): void;
  onClose(conn: DeviceConnection): void;
  onProtocolError(conn: DeviceConnection, error: Error): void;
}

export class DeviceConnection {
  readonly id = nextConnectionId++;
  readonly noise: NoiseServerSession;
  registration?: PendingRegistration;
  account?: Account;
  deviceId?: number;
  closed = false;
  /**
   * Set once a terminal stanza (stream:error, failure) was sent: the connection is no longer
   * online and whatever the client still sends before closing is ignored, as a server would.
   */
  retired = false;
  private readonly pending = new Map<string, { resolve: (n: BinaryNode) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private closeTimer?: NodeJS.Timeout;

  constructor(ws: WebSocket, identity: NoiseIdentity, hooks: ConnectionHooks) {
    const events: NoiseSessionEvents = {
      onHandshake: (payload, clientStatic) => hooks.onHandshake(this, payload, clientStatic),
      onNode: (node) => {
        // Replies to iqs the server sent (pair-device, pair-success) are matched here.
        if (node.tag === 'iq' && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
          const waiter = this.pending.get(node.attrs.id);
          if (waiter) {
            this.pending.delete(node.attrs.id);
            clearTimeout(waiter.timer);
            waiter.resolve(node);
            return;
          }
        }
        if (!this.retired) hooks.onNode(this, node);
      },
      onClose: () => {
        this.closed = true;
        clearTimeout(this.closeTimer);
        for (const [, w] of this.pending) {
          clearTimeout(w.timer);
          w.reject(new Error('connection closed'));
        }
        this.pending.clear();
        hooks.onClose(this);
      },
      onProtocolError: (error) => hooks.onProtocolError(this, error),
    };
    this.noise = new NoiseServerSession(ws, identity, events);
  }

  get isOnline(): boolean {
    return !!this.account && this.deviceId !== undefined && !this.closed && !this.retired && this.noise.isOpen;
  }

  get label(): string {
    if (this.account) return `${this.account.phoneNumber}:${this.deviceId}`;
    if (this.registration) return `registration#${this.id}`;
    return `connection#${this.id}`;
  }

  send(node: BinaryNode): boolean {
    return this.noise.send(node);
  }

  /** Send a server-initiated iq and wait for the client's result. */
  request(node: BinaryNode, timeoutMs = 10_000): Promise<BinaryNode> {
    const id = node.attrs.id ?? `sim-${nextServerTag++}`;
    node.attrs = { from: SERVER_JID, ...node.attrs, id };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply from ${this.label} to server iq ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      if (!this.send(node)) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Error(`${this.label} is not connected`));
      }
    });
  }

  /**
   * Send a terminal stanza (`<stream:error>`, `<failure>`) and close. Baileys closes the
   * WebSocket itself when it processes these (`end()` in lib/Socket/socket.js); we close
   * after a grace period in case it does not.
   */
  sendAndClose(node: BinaryNode, graceMs = 1000): void {
    this.send(node);
    this.retired = true;
    clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => this.noise.close(), graceMs);
    this.closeTimer.unref?.();
  }

  close(): void {
    this.noise.close();
  }

  /** Network drop: destroy the TCP socket, no close frame, no stream error. */
  drop(): void {
    this.noise.destroy();
  }
}

export function nextTag(): string {
  return `sim-${nextServerTag++}`;
}
