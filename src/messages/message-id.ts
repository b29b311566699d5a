import { randomFillSync } from 'node:crypto';

const ID_BYTES = 9;
/** Random bytes drawn in blocks: one call into the CSPRNG per 455 ids instead of one per id. */
const pool = Buffer.alloc(ID_BYTES * 455);
let offset = pool.length;

/**
 * A WhatsApp message id in the form WhatsApp Web uses (`3EB0` + 18 hex digits, as Baileys'
 * generateMessageIDV2). Chosen at enqueue and reused on every attempt, so a retry after a
 * crash is the same message to the recipient, never a second one.
 */
export function newWaMessageId(): string {
  if (offset + ID_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return `3EB0${hex.toUpperCase()}`;
}
