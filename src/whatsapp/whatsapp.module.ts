import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthKeyEntity } from './auth-state/auth-key.entity';
import { AuthStateStore } from './auth-state/auth-state.store';
import { DefaultEngineFactory } from './engine/engine.factory';
import { ENGINE_FACTORY } from './engine/whatsapp-engine.port';

/** The engine layer: the port, its Baileys and sandbox adapters, and credential storage. */
@Module({
  imports: [TypeOrmModule.forFeature([AuthKeyEntity])],
  providers: [AuthStateStore, { provide: ENGINE_FACTORY, useClass: DefaultEngineFactory }],
  exports: [AuthStateStore, ENGINE_FACTORY],
})
export class WhatsappModule {}
