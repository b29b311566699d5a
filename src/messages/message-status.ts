export enum MessageStatus {
  QUEUED = 'QUEUED',
  /** Claimed by a dispatcher and being sent. */
  SENDING = 'SENDING',
  SENT = 'SENT',
  DELIVERED = 'DELIVERED',
  READ = 'READ',
  PLAYED = 'PLAYED',
  FAILED = 'FAILED',
  EXPIRED = 'EXPIRED',
  CANCELED = 'CANCELED',
  /** The session requires opt-in and the recipient has not opted in (the WA Gateway). */
  OPTED_OUT = 'OPTED_OUT',
  /** Inbound messages. */
  RECEIVED = 'RECEIVED',
}

/**
 * Progress order of an outbound message. Receipts may arrive out of order and never move a
 * status backwards; FAILED shares SENDING's rank so a late receipt proves the send happened.
 */
export const STATUS_RANK: Partial<Record<MessageStatus, number>> = {
  [MessageStatus.QUEUED]: 0,
  [MessageStatus.SENDING]: 1,
  [MessageStatus.FAILED]: 1,
  [MessageStatus.SENT]: 2,
  [MessageStatus.DELIVERED]: 3,
  [MessageStatus.READ]: 4,
  [MessageStatus.PLAYED]: 5,
};

/** SQL expression giving the rank of `column` (statuses outside the progress order rank 99). */
export function statusRankSql(column: string): string {
  const cases = Object.entries(STATUS_RANK)
    .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
    .join(' ');
  return `(CASE ${column} ${cases} ELSE 99 END)`;
}

export const RESENDABLE = [MessageStatus.FAILED, MessageStatus.OPTED_OUT, MessageStatus.EXPIRED, MessageStatus.CANCELED];
