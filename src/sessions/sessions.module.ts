import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { SessionStatusChangeEntity } from './entities/session-status-change.entity';
import { SessionEntity } from './entities/session.entity';
import { SandboxController } from './sandbox.controller';
import { SessionRegistry } from './session-registry';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { WorkspacesController } from './workspaces.controller';

@Module({
  imports: [TypeOrmModule.forFeature([SessionEntity, SessionStatusChangeEntity]), WhatsappModule],
  controllers: [SessionsController, SandboxController, WorkspacesController],
  providers: [SessionRegistry, SessionsService],
  exports: [SessionRegistry, SessionsService],
})
export class SessionsModule {}
