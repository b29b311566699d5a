import type { ValueTransformer } from 'typeorm';
import type { SecretBox } from './secret-box';

/**
 * TypeORM transformers are static, so the box that encrypted columns use is installed once by
 * CryptoModule when the application starts (before any query runs).
 */
let installed: SecretBox | null = null;

export function installColumnSecretBox(box: SecretBox): void {
  installed = box;
}

function box(): SecretBox {
  if (!installed) throw new Error('The master key is not loaded yet (CryptoModule)');
  return installed;
}

/** Seals a value for an encrypted column (raw SQL writes). */
export function sealColumn(value: string, address: string): string {
  return box().seal(value, address);
}

/** Opens a value read from an encrypted column by raw SQL; plaintext written before passes through. */
export function openColumn(value: string, address: string): string {
  return box().open(value, address);
}

/**
 * A text column stored encrypted with the master key, bound to `address` (the column, e.g.
 * `webhook.secret`: TypeORM gives a transformer no row identity).
 */
export function encryptedColumn(address: string): ValueTransformer {
  return {
    to: (value: string | null | undefined) => (typeof value === 'string' ? sealColumn(value, address) : value),
    from: (value: string | null) => (typeof value === 'string' ? openColumn(value, address) : value),
  };
}
