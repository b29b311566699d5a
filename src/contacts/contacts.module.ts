import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagesModule } from '../messages/messages.module';
import { SessionsModule } from '../sessions/sessions.module';
import { CallsService } from './calls.service';
import { ContactsController } from './contacts.controller';
import { ContactsService } from './contacts.service';
import { ContactEntity } from './entities/contact.entity';
import { OptInService } from './opt-in.service';

/** Contacts, the opt-in conversation, and how incoming calls are answered. */
@Module({
  imports: [TypeOrmModule.forFeature([ContactEntity]), SessionsModule, MessagesModule],
  controllers: [ContactsController],
  providers: [ContactsService, OptInService, CallsService],
  exports: [ContactsService],
})
export class ContactsModule {}
