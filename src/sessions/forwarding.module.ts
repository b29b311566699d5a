import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ClusterModule } from '../cluster/cluster.module';
import { ForwardToOwnerMiddleware } from './forward-to-owner.middleware';
import { SessionsModule } from './sessions.module';

/**
 * Mounts ForwardToOwnerMiddleware: a call that needs the live socket, received by a replica
 * that does not run the session, is authenticated (auth) and sent to the one that does. Its
 * own module because it needs both the sessions and the auth module, and auth builds on sessions.
 */
@Module({ imports: [SessionsModule, AuthModule, ClusterModule] })
export class ForwardingModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ForwardToOwnerMiddleware).forRoutes('{*splat}');
  }
}
