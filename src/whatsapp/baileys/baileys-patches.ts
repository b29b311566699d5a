import { DEFAULT_CONNECTION_CONFIG, verifyNoiseCertChain } from '@whiskeysockets/baileys';

/**
 * The engine relies on two fixes applied to Baileys at install time by
 * scripts/patch-baileys.mjs (docs/baileys-patches.md): the `onMessageBeforeReceipt` hook
 * that lets a message be stored before its delivery receipt, and a real check of the Noise
 * server certificate chain. Without them, acknowledged messages can be lost in a crash and
 * any server could pose as WhatsApp, so the engine refuses to start instead.
 * @throws Error naming the missing patch and how to apply it
 */
export function assertBaileysPatched(): void {
  const missing: string[] = [];
  if (!('onMessageBeforeReceipt' in DEFAULT_CONNECTION_CONFIG)) missing.push('receipt-after-commit');
  if (typeof verifyNoiseCertChain !== 'function') missing.push('noise-cert-verify');
  if (missing.length) {
    throw new Error(
      `@whiskeysockets/baileys is missing Switchboard's patches (${missing.join(', ')}): ` +
        'run `node scripts/patch-baileys.mjs` (npm install runs it as postinstall); see docs/baileys-patches.md',
    );
  }
}
