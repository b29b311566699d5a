import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClusterModule } from '../cluster/cluster.module';
import { WhatsappModule } from '../whatsapp/whatsapp.module';
import { SessionStatusChangeEntity } from './entities/session-status-change.entity';
import { SessionEntity } from './entities/session.entity';
import { OwnerRoutes } from './owner-routes';
import { SandboxController } from './sandbox.controller';
import { SessionAccess } from './session-access';
import { SessionRegistry } from './session-registry';
import { SessionResolver } from './session-resolver';
import { SessionStore } from './session-store';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { WorkspacesController } from './workspaces.controller';

/**
 * Sessions: the `session` and `session_status_change` tables and the live WhatsApp engines.
 * - SessionResolver: a reference (id, mobile number, mobid) → its row, briefly cached.
 * - SessionAccess: which sessions a credential may act on; SessionPipe applies it to a
 *   route's `{sessionId}` (`@RouteSession()`).
 * - SessionStore: the only writer of both tables.
 * - SessionRegistry: the live runtime (engines, lifecycle, reconnects, restore at boot), running
 *   the sessions whose lease this replica holds (ClusterModule).
 * - SessionsService: the API's use cases (create, QR, settings, lifecycle, history).
 * - OwnerRoutes: the calls that need the live socket (forwarded to the replica running the
 *   session by ForwardToOwnerMiddleware, mounted by ForwardingModule); product APIs add theirs.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SessionEntity, SessionStatusChangeEntity]), WhatsappModule, ClusterModule],
  controllers: [SessionsController, SandboxController, WorkspacesController],
  providers: [SessionResolver, SessionAccess, SessionStore, SessionRegistry, SessionsService, OwnerRoutes],
  exports: [SessionResolver, SessionAccess, SessionRegistry, SessionsService, OwnerRoutes],
})
export class SessionsModule {}
