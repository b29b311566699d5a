/**
 * Server half of WhatsApp's Noise_XX_25519_AESGCM_SHA256 handshake and the framed,
 * encrypted transport that follows. It mirrors, step by step, the client half in
 * Baileys' `lib/Utils/noise-handler.js` and `lib/Socket/socket.js` (`validateConnection`):
 *
 *   client: "WA\x06\x03" intro + frame(HandshakeMessage{clientHello{ephemeral}})
 *   server: frame(HandshakeMessage{serverHello{ephemeral, enc(static), enc(certChain)}})
 *   client: frame(HandshakeMessage{clientFinish{enc(noiseKey.public), enc(ClientPayload)}})
 *   then:   every frame = AES-GCM(binary node) with per-direction keys and counters.
 *
 * Frames carry a 3-byte big-endian length prefix. One WebSocket message may hold several
 * frames or part of one, so bytes are buffered.
 */
import {
  aesDecryptGCM,
  aesEncryptGCM,
  Curve,
  decodeBinaryNode,
  encodeBinaryNode,
  hkdf,
  NOISE_MODE,
  NOISE_WA_HEADER,
  proto,
  sha256,
} from '@whiskeysockets/baileys';
import type { WebSocket } from 'ws';
import type { BinaryNode } from './binary-node';
import { generateKeyPair, type NoiseIdentity } from './noise-cert';

export interface NoiseSessionEvents {
  /** The handshake finished: the client's Noise static key and its `ClientPayload`. */
  onHandshake(payload: proto.ClientPayload, clientStaticPublic: Buffer): void;
  onNode(node: BinaryNode): void;
  onClose(): void;
  /** Anything malformed (bad header, failed decryption, undecodable node). */
  onProtocolError(error: Error): void;
}

function ivFor(counter: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
}

export class NoiseServerSession {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private readonly ephemeral = generateKeyPair();
  private clientEphemeral?: Buffer;
  private inBytes: Buffer = Buffer.alloc(0);
  private gotIntro = false;
  private state: 'hello' | 'finish' | 'transport' | 'closed' = 'hello';
  private encKey?: Buffer;
  private decKey?: Buffer;
  private readCounter = 0;
  private writeCounter = 0;
  /** Frames are decoded asynchronously (decodeBinaryNode may inflate); keep their order. */
  private processing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly identity: NoiseIdentity,
    private readonly events: NoiseSessionEvents,
  ) {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.length === 32 ? mode : Buffer.from(sha256(mode));
    this.salt = this.hash;
    this.key = this.hash;
    // The client mixes the intro header into its hash before anything else.
    this.mixHash(Buffer.from(NOISE_WA_HEADER));

    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      this.processing = this.processing.then(() => this.onBytes(chunk)).catch((err) => this.fail(err));
    });
    ws.on('close', () => {
      this.state = 'closed';
      this.events.onClose();
    });
    ws.on('error', () => {
      /* 'close' follows; an abrupt client disconnect is not a protocol error */
    });
  }

  get isOpen(): boolean {
    return this.state === 'transport' && this.ws.readyState === this.ws.OPEN;
  }

  /** Encrypt and send one binary node. Returns false if the socket is gone. */
  send(node: BinaryNode): boolean {
    if (!this.isOpen || !this.encKey) return false;
    const plain = encodeBinaryNode(node);
    const enc = aesEncryptGCM(plain, this.encKey, ivFor(this.writeCounter++), Buffer.alloc(0));
    this.ws.send(this.frame(enc));
    return true;
  }

  /** Orderly close (after e.g. a stream:error the client closes too). */
  close(): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close();
  }

  /** Abrupt TCP teardown without a WebSocket close frame (a network drop). */
  destroy(): void {
    this.ws.terminate();
  }

  private frame(data: Uint8Array): Buffer {
    const out = Buffer.alloc(3 + data.length);
    out.writeUIntBE(data.length, 0, 3);
    out.set(data, 3);
    return out;
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private fail(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.events.onProtocolError(error);
    this.state = 'closed';
    this.destroy();
  }

  private mixHash(data: Uint8Array): void {
    this.hash = Buffer.from(sha256(Buffer.concat([this.hash, data])));
  }

  private mixKey(ikm: Uint8Array): void {
    const out = Buffer.from(hkdf(Buffer.from(ikm), 64, { salt: this.salt, info: '' }));
    this.salt = out.subarray(0, 32);
    this.key = out.subarray(32);
    this.counter = 0;
  }

  private encryptHandshake(plain: Uint8Array): Buffer {
    const ct = aesEncryptGCM(plain, this.key, ivFor(this.counter++), this.hash);
    this.mixHash(ct);
    return ct;
  }

  private decryptHandshake(ct: Uint8Array): Buffer {
    const plain = aesDecryptGCM(ct, this.key, ivFor(this.counter++), this.hash);
    this.mixHash(ct);
    return plain;
  }

  private async onBytes(chunk: Buffer): Promise<void> {
    if (this.state === 'closed') return;
    this.inBytes = this.inBytes.length ? Buffer.concat([this.inBytes, chunk]) : chunk;
    if (!this.gotIntro) {
      if (this.inBytes.length < NOISE_WA_HEADER.length) return;
      const header = this.inBytes.subarray(0, NOISE_WA_HEADER.length);
      if (!header.equals(Buffer.from(NOISE_WA_HEADER))) {
        // 'ED' + routing info would only appear if we had sent <ib><edge_routing>; we never do.
        throw new Error(`unexpected intro header ${header.toString('hex')}`);
      }
      this.inBytes = this.inBytes.subarray(NOISE_WA_HEADER.length);
      this.gotIntro = true;
    }
    while (this.inBytes.length >= 3) {
      const size = this.inBytes.readUIntBE(0, 3);
      if (this.inBytes.length < size + 3) return;
      const frame = this.inBytes.subarray(3, size + 3);
      this.inBytes = this.inBytes.subarray(size + 3);
      await this.onFrame(frame);
      if (this.isClosed()) return;
    }
  }

  private async onFrame(frame: Buffer): Promise<void> {
    switch (this.state) {
      case 'hello':
        return this.onClientHello(frame);
      case 'finish':
        return this.onClientFinish(frame);
      case 'transport': {
        const plain = aesDecryptGCM(frame, this.decKey!, ivFor(this.readCounter++), Buffer.alloc(0));
        const node = await decodeBinaryNode(plain);
        this.events.onNode(node);
        return;
      }
      default:
        return;
    }
  }

  private onClientHello(frame: Buffer): void {
    const { clientHello } = proto.HandshakeMessage.decode(frame);
    if (!clientHello?.ephemeral || clientHello.ephemeral.length !== 32) {
      throw new Error('first frame is not a clientHello with a 32-byte ephemeral key');
    }
    this.clientEphemeral = Buffer.from(clientHello.ephemeral);
    this.mixHash(this.clientEphemeral);

    // e, ee, s, es — in the order the client's processHandshake() undoes them.
    this.mixHash(this.ephemeral.public);
    this.mixKey(Curve.sharedKey(this.ephemeral.private, this.clientEphemeral));
    const encStatic = this.encryptHandshake(this.identity.staticKeyPair.public);
    this.mixKey(Curve.sharedKey(this.identity.staticKeyPair.private, this.clientEphemeral));
    const encPayload = this.encryptHandshake(this.identity.certChain);

    const serverHello = proto.HandshakeMessage.encode({
      serverHello: { ephemeral: this.ephemeral.public, static: encStatic, payload: encPayload },
    }).finish();
    this.state = 'finish';
    this.ws.send(this.frame(serverHello));
  }

  private onClientFinish(frame: Buffer): void {
    const { clientFinish } = proto.HandshakeMessage.decode(frame);
    if (!clientFinish?.static || !clientFinish.payload) {
      throw new Error('second frame is not a clientFinish');
    }
    // s, se: the client's long-lived Noise key (creds.noiseKey) identifies the device.
    const clientStatic = this.decryptHandshake(clientFinish.static);
    this.mixKey(Curve.sharedKey(this.ephemeral.private, clientStatic));
    const payload = proto.ClientPayload.decode(this.decryptHandshake(clientFinish.payload));

    // Split: the client encrypts with the first half and decrypts with the second.
    const keys = Buffer.from(hkdf(Buffer.alloc(0), 64, { salt: this.salt, info: '' }));
    this.decKey = keys.subarray(0, 32);
    this.encKey = keys.subarray(32);
    this.state = 'transport';
    this.events.onHandshake(payload, clientStatic);
  }
}
