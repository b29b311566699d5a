import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/**
 * AES-256-GCM for credential rows. The row's address (session, type, id) is authenticated
 * data, so a value copied to another row or session fails to decrypt instead of being used.
 */
export class AuthStateCipher {
  private readonly key: Buffer | null;

  constructor(rawKey: string | undefined) {
    if (!rawKey) {
      this.key = null;
      return;
    }
    this.key = /^[0-9a-fA-F]{64}$/.test(rawKey) ? Buffer.from(rawKey, 'hex') : Buffer.from(rawKey, 'base64');
    if (this.key.length !== 32) throw new Error('AUTH_STATE_KEY must be 32 bytes');
  }

  get enabled(): boolean {
    return this.key !== null;
  }

  seal(plain: string, address: string): string {
    if (!this.key) return plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(address));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${body.toString('base64')}`;
  }

  /** Plain rows (written before a key was configured) are read as they are. */
  open(stored: string, address: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    if (!this.key) throw new Error('Stored WhatsApp credentials are encrypted but AUTH_STATE_KEY is not set');
    const [iv, tag, body] = stored.slice(PREFIX.length).split(':');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(address));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}
