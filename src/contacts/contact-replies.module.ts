import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module';
import { SessionsModule } from '../sessions/sessions.module';
import { CallsService } from './calls.service';
import { ContactsModule } from './contacts.module';
import { OptInService } from './opt-in.service';

/**
 * What Switchboard answers contacts on its own: the opt-in conversation and call handling.
 * Owns no table: it records answers through `ContactsService` and queues replies through
 * `MessagesService`, so it imports both modules (and neither imports it).
 */
@Module({
  imports: [ContactsModule, SessionsModule, MessagesModule],
  providers: [OptInService, CallsService],
})
export class ContactRepliesModule {}
