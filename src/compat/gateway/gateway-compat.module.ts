import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagesModule } from '../../messages/messages.module';
import { SessionsModule } from '../../sessions/sessions.module';
import { GatewaySessionEntity } from './entities/gateway-session.entity';
import { GatewayMessagesService } from './gateway-messages.service';
import { GatewaySessionsService } from './gateway-sessions.service';
import { GatewayController } from './gateway.controller';
import { GatewayOwnerRoutes } from './gateway-owner-routes';

/**
 * The WA Gateway's API under /compat/gateway: named sessions (`compat_gateway_session`) over
 * native sessions, sends through the native queue. See docs/compat-gateway.md.
 */
@Module({
  imports: [TypeOrmModule.forFeature([GatewaySessionEntity]), SessionsModule, MessagesModule],
  controllers: [GatewayController],
  providers: [GatewaySessionsService, GatewayMessagesService, GatewayOwnerRoutes],
})
export class GatewayCompatModule {}
