import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '../../auth/principal';
import { OwnerRoutes, requestField } from '../../sessions/owner-routes';
import { ConnectionsService } from './connections.service';

/**
 * The connections API's calls that need the live socket (activate, status with its
 * reachability and QR, logout): any replica forwards them to the one running the connection's
 * session, named by the connection token or `connectionId`.
 */
@Injectable()
export class ConnectionsOwnerRoutes implements OnModuleInit {
  constructor(
    private readonly routes: OwnerRoutes,
    private readonly connections: ConnectionsService,
  ) {}

  onModuleInit(): void {
    const session = (req: Request, _match: RegExpExecArray, caller: Principal | null) =>
      this.connections.sessionIdOf(caller!, requestField(req, 'connectionId'));
    this.routes.register(
      { method: 'POST', path: /^\/compat\/connections\/api\/v1\/connections\/(?:activate|logout)$/, api: 'connections', session },
      { method: 'GET', path: /^\/compat\/connections\/api\/v1\/connections\/status$/, api: 'connections', session },
    );
  }
}
