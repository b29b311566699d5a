import { randomBytes } from 'node:crypto';

/**
 * A WhatsApp message id in the form WhatsApp Web uses (`3EB0` + 18 hex digits, as Baileys'
 * generateMessageIDV2). Chosen at enqueue and reused on every attempt, so a retry after a
 * crash is the same message to the recipient, never a second one.
 */
export function newWaMessageId(): string {
  return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
}
