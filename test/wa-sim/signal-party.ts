/**
 * One end-to-end Signal identity played by the simulator: a contact's phone, or an
 * account's primary phone (device 0). It uses the very repository Baileys uses
 * (`DEFAULT_CONNECTION_CONFIG.makeSignalRepository` = `lib/Signal/libsignal.js`) over an
 * in-memory key store, so sessions it builds are the ones real Baileys expects.
 */
import {
  addTransactionCapability,
  Curve,
  DEFAULT_CONNECTION_CONFIG,
  encodeWAMessage,
  generateSignalPubKey,
  initAuthCreds,
  KEY_BUNDLE_TYPE,
  proto,
  unpadRandomMax16,
  xmppPreKey,
  xmppSignedPreKey,
  type AuthenticationCreds,
  type KeyPair,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import { encodeUintBE, type BinaryNode } from './binary-node';
import { SILENT_LOGGER } from './silent-logger';

type Repository = ReturnType<typeof DEFAULT_CONNECTION_CONFIG.makeSignalRepository>;

/** Plain Map-backed SignalKeyStore (what `useMultiFileAuthState` keeps on disk). */
export function makeMemoryKeyStore(): SignalKeyStore {
  const data = new Map<string, Map<string, unknown>>();
  return {
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const bucket = data.get(type);
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const v = bucket?.get(id);
        if (v !== undefined) out[id] = v as SignalDataTypeMap[T];
      }
      return out;
    },
    set(set: SignalDataSet) {
      for (const [type, values] of Object.entries(set)) {
        let bucket = data.get(type);
        if (!bucket) data.set(type, (bucket = new Map()));
        for (const [id, v] of Object.entries(values ?? {})) {
          if (v === null || v === undefined) bucket.delete(id);
          else bucket.set(id, v);
        }
      }
    },
    clear() {
      data.clear();
    },
  };
}

/** Public half of a pre-key bundle as the server hands it out (`<iq xmlns=encrypt><key>`). */
export interface PreKeyBundle {
  registrationId: number;
  identity: Buffer;
  signedPreKey: { keyId: number; public: Buffer; signature: Buffer };
  preKey?: { keyId: number; public: Buffer };
}

/** `<user jid=…>` entry of an `encrypt`/`key` result, parsed by Baileys' `parseAndInjectE2ESessions`. */
export function bundleToUserNode(jid: string, b: PreKeyBundle): BinaryNode {
  const content: BinaryNode[] = [
    { tag: 'registration', attrs: {}, content: encodeUintBE(b.registrationId, 4) },
    { tag: 'type', attrs: {}, content: Buffer.from(KEY_BUNDLE_TYPE) },
    { tag: 'identity', attrs: {}, content: b.identity },
    xmppSignedPreKey({
      keyId: b.signedPreKey.keyId,
      keyPair: { public: b.signedPreKey.public, private: Buffer.alloc(0) },
      signature: b.signedPreKey.signature,
    }) as BinaryNode,
  ];
  if (b.preKey) content.push(xmppPreKey({ public: b.preKey.public, private: Buffer.alloc(0) }, b.preKey.keyId) as BinaryNode);
  return { tag: 'user', attrs: { jid }, content };
}

export class SignalParty {
  readonly creds: AuthenticationCreds = initAuthCreds();
  private readonly store = makeMemoryKeyStore();
  readonly repository: Repository;
  private nextPreKeyId = 1;
  /** Public one-time pre-keys not yet handed to anybody. */
  private readonly unusedPreKeys: number[] = [];
  /** Serialises Signal operations of this party (sessions are read-modify-write). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly preKeyBatch = 20) {
    const keys = addTransactionCapability(this.store, SILENT_LOGGER, { maxCommitRetries: 1, delayBetweenTriesMs: 0 });
    // No PN→LID lookups: parties address peers by LID device jids only.
    this.repository = DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds: this.creds, keys }, SILENT_LOGGER, async () => []);
  }

  get identityKeyPair(): KeyPair {
    return this.creds.signedIdentityKey;
  }

  get registrationId(): number {
    return this.creds.registrationId;
  }

  private run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async generatePreKeys(count: number): Promise<void> {
    const fresh: { [id: string]: KeyPair } = {};
    for (let i = 0; i < count; i++) {
      const id = this.nextPreKeyId++;
      fresh[id] = Curve.generateKeyPair();
      this.unusedPreKeys.push(id);
    }
    await this.store.set({ 'pre-key': fresh });
  }

  /**
   * A bundle for someone about to start a session with us. One-time pre-keys are handed
   * out once each (re-using one makes libsignal fail with "Invalid PreKey ID").
   */
  async takeBundle(): Promise<PreKeyBundle> {
    if (this.unusedPreKeys.length === 0) await this.generatePreKeys(this.preKeyBatch);
    const keyId = this.unusedPreKeys.shift()!;
    const { [keyId]: pair } = await this.store.get('pre-key', [String(keyId)]);
    return {
      registrationId: this.creds.registrationId,
      identity: Buffer.from(this.creds.signedIdentityKey.public),
      signedPreKey: {
        keyId: this.creds.signedPreKey.keyId,
        public: Buffer.from(this.creds.signedPreKey.keyPair.public),
        signature: Buffer.from(this.creds.signedPreKey.signature),
      },
      preKey: pair ? { keyId, public: Buffer.from(pair.public) } : undefined,
    };
  }

  async hasSession(jid: string): Promise<boolean> {
    return (await this.repository.validateSession(jid)).exists;
  }

  /** Start an outgoing session from a bundle the server handed out (`injectE2ESession`). */
  injectSession(jid: string, bundle: PreKeyBundle): Promise<void> {
    return this.run(() =>
      this.repository.injectE2ESession({
        jid,
        session: {
          registrationId: bundle.registrationId,
          identityKey: generateSignalPubKey(bundle.identity),
          signedPreKey: {
            keyId: bundle.signedPreKey.keyId,
            publicKey: generateSignalPubKey(bundle.signedPreKey.public),
            signature: bundle.signedPreKey.signature,
          },
          preKey: bundle.preKey
            ? { keyId: bundle.preKey.keyId, publicKey: generateSignalPubKey(bundle.preKey.public) }
            : (undefined as never),
        },
      }),
    );
  }

  /** Encrypt a proto.Message for one device: `encodeWAMessage` pads like Baileys does. */
  encryptMessage(jid: string, message: proto.IMessage): Promise<{ type: 'pkmsg' | 'msg'; ciphertext: Buffer }> {
    return this.run(async () => {
      const { type, ciphertext } = await this.repository.encryptMessage({ jid, data: encodeWAMessage(message) });
      return { type: type as 'pkmsg' | 'msg', ciphertext: Buffer.from(ciphertext) };
    });
  }

  /** Decrypt an `<enc type="pkmsg|msg">` from `jid`, unpad and decode (`lib/Utils/decode-wa-message.js`). */
  decryptMessage(jid: string, type: 'pkmsg' | 'msg', ciphertext: Uint8Array): Promise<proto.IMessage> {
    return this.run(async () => {
      const plain = await this.repository.decryptMessage({ jid, type, ciphertext });
      return proto.Message.decode(unpadRandomMax16(plain));
    });
  }
}
