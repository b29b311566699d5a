import { Global, Module } from '@nestjs/common';
import { SENT_MESSAGE_STORE } from '../whatsapp/sent-messages/sent-message.store';
import { PgSentMessageStore } from './sent-message.store';

/**
 * Binds the engines' `SENT_MESSAGE_STORE` port to the messages module's store, so the engine
 * layer (below sessions and messages) never touches the `message` table itself. Global like
 * the event outbox binding: the engine factory resolves the port without importing messages.
 * The dispatcher uses the store itself to write the bytes with the SENT mark.
 */
@Global()
@Module({
  providers: [PgSentMessageStore, { provide: SENT_MESSAGE_STORE, useExisting: PgSentMessageStore }],
  exports: [SENT_MESSAGE_STORE, PgSentMessageStore],
})
export class SentMessagesModule {}
