import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Keyring, MasterKey } from './master-key';

const V2 = 'enc:v2:';
/** Written by earlier versions with AUTH_STATE_KEY: no key id. */
const V1 = 'enc:v1:';

export class UnknownKeyError extends Error {
  constructor(readonly keyId: string) {
    super(
      `A stored secret is encrypted with master key ${keyId}, which is not configured. Set MASTER_KEY to the key the other ` +
        'processes use (or add it to MASTER_KEY_PREVIOUS); a key file in DATA_DIR is per machine.',
    );
  }
}

/**
 * Encrypts secrets at rest with the master keyring: AES-256-GCM, a fresh IV per value, and the
 * value's address (e.g. `wa_auth_key/<session>/<type>/<id>`) as authenticated data, so a value
 * copied to another row fails to decrypt. Format: `enc:v2:<key id>:<iv>:<tag>:<ciphertext>`
 * (base64). Values written before encryption (plain) and by AUTH_STATE_KEY (`enc:v1:`) are read.
 */
export class SecretBox {
  constructor(private readonly ring: Keyring) {}

  get currentKeyId(): string {
    return this.ring.current.id;
  }

  get keyIds(): string[] {
    return [...this.ring.byId.keys()];
  }

  /** The prefix every value sealed with the current key starts with (for `NOT LIKE` scans). */
  get currentPrefix(): string {
    return `${V2}${this.ring.current.id}:`;
  }

  seal(plain: string, address: string): string {
    const { id, key } = this.ring.current;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(address));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${V2}${id}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${body.toString('base64')}`;
  }

  /** @throws UnknownKeyError when the key is not configured; Error when the value was tampered with or moved */
  open(stored: string, address: string): string {
    if (stored.startsWith(V2)) {
      const [id, iv, tag, body] = stored.slice(V2.length).split(':');
      const key = this.ring.byId.get(id);
      if (!key) throw new UnknownKeyError(id);
      return decrypt(key, iv, tag, body, address);
    }
    if (stored.startsWith(V1)) {
      const [iv, tag, body] = stored.slice(V1.length).split(':');
      for (const key of this.ring.byId.values()) {
        try {
          return decrypt(key, iv, tag, body, address);
        } catch {
          /* another key */
        }
      }
      throw new Error('A stored secret (enc:v1) does not decrypt with any configured key: set AUTH_STATE_KEY or MASTER_KEY_PREVIOUS to its key');
    }
    return stored;
  }

  /**
   * A secret for one purpose (e.g. signing a product's tokens) derived from the current master
   * key with HKDF-SHA256: stable across restarts and replicas that share the key, different per
   * purpose, and never the master key itself. Changes when the master key is rotated.
   */
  deriveKey(purpose: string, length = 32): Buffer {
    return Buffer.from(hkdfSync('sha256', this.ring.current.key, Buffer.alloc(0), `switchboard-derived-key\0${purpose}`, length));
  }

  /** Whether the value is sealed with the current key (else re-encryption rewrites it). */
  isCurrent(stored: string): boolean {
    return stored.startsWith(this.currentPrefix);
  }
}

function decrypt(key: MasterKey, iv: string, tag: string, body: string, address: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64'));
  decipher.setAAD(Buffer.from(address));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}
