import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthKeyEntity } from './auth-state/auth-key.entity';
import { AuthStateStore } from './auth-state/auth-state.store';
import { DefaultEngineFactory } from './engine/engine.factory';
import { ENGINE_FACTORY } from './engine/whatsapp-engine.port';

/**
 * The engine layer: the port, its Baileys and sandbox adapters, credential storage (owns
 * `wa_auth_key`). Sent-message bytes go through the `SENT_MESSAGE_STORE` port, which the
 * messages module binds (it owns the `message` rows they belong to).
 */
@Module({
  imports: [TypeOrmModule.forFeature([AuthKeyEntity])],
  providers: [AuthStateStore, { provide: ENGINE_FACTORY, useClass: DefaultEngineFactory }],
  exports: [AuthStateStore, ENGINE_FACTORY],
})
export class WhatsappModule {}
