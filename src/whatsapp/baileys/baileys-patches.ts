import { DEFAULT_CONNECTION_CONFIG, verifyNoiseCertChain, WA_CERT_DETAILS } from '@whiskeysockets/baileys';

/** WhatsApp's long-term Noise root key (the value Baileys ships in WA_CERT_DETAILS). */
const WHATSAPP_ROOT_KEY = '142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b';

/**
 * The engine relies on three fixes applied to Baileys at install time by
 * scripts/patch-baileys.mjs (docs/baileys-patches.md): the `onMessageBeforeReceipt` hook
 * that lets a message be stored before its delivery receipt, the `onReceiptBeforeAck` hook
 * that lets a status receipt be stored before it is acknowledged, and a real check of the Noise
 * server certificate chain. Without them, acknowledged messages and statuses can be lost in a crash and
 * any server could pose as WhatsApp, so the engine refuses to start instead.
 * @throws Error naming the missing patch and how to apply it
 */
export function assertBaileysPatched(): void {
  const missing: string[] = [];
  if (!('onMessageBeforeReceipt' in DEFAULT_CONNECTION_CONFIG)) missing.push('receipt-after-commit');
  if (!('onReceiptBeforeAck' in DEFAULT_CONNECTION_CONFIG)) missing.push('status-receipt-before-ack');
  if (typeof verifyNoiseCertChain !== 'function') missing.push('noise-cert-verify');
  if (missing.length) {
    throw new Error(
      `@whiskeysockets/baileys is missing Switchboard's patches (${missing.join(', ')}): ` +
        'run `node scripts/patch-baileys.mjs` (npm install runs it as postinstall); see docs/baileys-patches.md',
    );
  }
}

/**
 * Baileys trusts whatever key is in its mutable, process-wide `WA_CERT_DETAILS.PUBLIC_KEY`.
 * Only test code (test/wa-sim/trust.ts) changes it, to trust the loopback simulator; a
 * connection to the real WhatsApp (no simulator URL configured) must see WhatsApp's own key.
 * @throws Error when the trusted root was replaced outside a simulator setup
 */
export function assertWhatsAppRootTrusted(usingSimulator: boolean): void {
  if (usingSimulator) return;
  if (Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY).toString('hex') !== WHATSAPP_ROOT_KEY) {
    throw new Error("Baileys' trusted WhatsApp root key was replaced in this process; refusing to connect to WhatsApp");
  }
}
