import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthKeyEntity } from './auth-state/auth-key.entity';
import { AuthStateStore } from './auth-state/auth-state.store';
import { DefaultEngineFactory } from './engine/engine.factory';
import { ENGINE_FACTORY } from './engine/whatsapp-engine.port';
import { PgSentMessageStore } from './sent-messages/sent-message.store';

/** The engine layer: the port, its Baileys and sandbox adapters, credential and sent-message storage. */
@Module({
  imports: [TypeOrmModule.forFeature([AuthKeyEntity])],
  providers: [AuthStateStore, PgSentMessageStore, { provide: ENGINE_FACTORY, useClass: DefaultEngineFactory }],
  exports: [AuthStateStore, ENGINE_FACTORY],
})
export class WhatsappModule {}
