import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import { OwnerRoutes, requestField } from '../../sessions/owner-routes';
import { GatewaySessionsService } from './gateway-sessions.service';

/**
 * The WA Gateway API's calls that need the live socket (the default session's status with its
 * QR, regenerate-qr): any replica forwards them to the one running the named session.
 */
@Injectable()
export class GatewayOwnerRoutes implements OnModuleInit {
  constructor(
    private readonly routes: OwnerRoutes,
    private readonly sessions: GatewaySessionsService,
  ) {}

  onModuleInit(): void {
    this.routes.register(
      { method: 'GET', path: /^\/compat\/gateway\/api\/status$/, api: 'gateway', session: () => this.sessions.sessionIdOf(undefined) },
      { method: 'POST', path: /^\/compat\/gateway\/api\/regenerate-qr$/, api: 'gateway', session: (req: Request) => this.sessions.sessionIdOf(requestField(req, 'session')) },
    );
  }
}
