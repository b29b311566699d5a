import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactsModule } from '../contacts/contacts.module';
import { MediaModule } from '../media/media.module';
import { SessionsModule } from '../sessions/sessions.module';
import { TtsModule } from '../tts/tts.module';
import { Dispatcher } from './dispatcher';
import { MessageEntity } from './entities/message.entity';
import { MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';
import { InboundService } from './inbound.service';
import { ReceiptRecorder } from './receipt-recorder';

@Module({
  imports: [
    TypeOrmModule.forFeature([MessageEntity]),
    SessionsModule,
    ContactsModule,
    MediaModule,
    TtsModule,
  ],
  controllers: [MessagesController],
  providers: [MessagesRepository, MessagesService, Dispatcher, ReceiptRecorder, InboundService],
  exports: [MessagesService],
})
export class MessagesModule {}
