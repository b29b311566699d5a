/**
 * What an engine keeps of the messages it sent, so it can send the very same message again
 * when a recipient's device asks for it (a retry receipt). The bytes are the engine's own
 * serialization and opaque to the store.
 *
 * A port: the engine layer sits below the messages module, which owns the rows these bytes
 * belong to and binds its implementation to `SENT_MESSAGE_STORE` (`SentMessagesModule`).
 */
export interface SentMessageStore {
  save(sessionId: string, waMessageId: string, bytes: Uint8Array): Promise<void>;
  /** Null for a message this gateway did not send (inbound, sent from the phone, unknown). */
  load(sessionId: string, waMessageId: string): Promise<Uint8Array | null>;
}

export const SENT_MESSAGE_STORE = Symbol('SENT_MESSAGE_STORE');
