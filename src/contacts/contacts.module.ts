import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from '../sessions/sessions.module';
import { ContactsController } from './contacts.controller';
import { ContactsService } from './contacts.service';
import { ContactEntity } from './entities/contact.entity';

/**
 * Contacts and their opt-in state: owns the `contact` table. The messages module builds on it
 * (inbound senders, the queue's opt-in check); the replies that send messages back
 * (`ContactRepliesModule`) sit on top of both.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ContactEntity]), SessionsModule],
  controllers: [ContactsController],
  providers: [ContactsService],
  exports: [ContactsService],
})
export class ContactsModule {}
