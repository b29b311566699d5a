import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../../auth/auth.module';
import { MessagesModule } from '../../messages/messages.module';
import { SessionsModule } from '../../sessions/sessions.module';
import { ConnectionMessagesController } from './connection-messages.controller';
import { ConnectionTokens } from './connection-tokens';
import { ConnectionsDashboardController } from './connections-dashboard.controller';
import { ConnectionsController } from './connections.controller';
import { ConnectionsService } from './connections.service';
import { CompatConnectionEntity } from './entities/compat-connection.entity';
import { ConnectionsOwnerRoutes } from './connections-owner-routes';

/** The connections product API under /compat/connections. */
@Module({
  imports: [TypeOrmModule.forFeature([CompatConnectionEntity]), JwtModule.register({}), AuthModule, SessionsModule, MessagesModule],
  controllers: [ConnectionsController, ConnectionMessagesController, ConnectionsDashboardController],
  providers: [ConnectionsService, ConnectionTokens, ConnectionsOwnerRoutes],
})
export class ConnectionsCompatModule {}
