import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import { OwnerRoutes, requestField } from '../../sessions/owner-routes';
import { DevicesService } from './devices.service';

/**
 * The devices API's calls that need the live socket (restart, QR and pairing code, group list,
 * logout, reconnect): any replica forwards them to the one running the device's session. The
 * caller is checked as DeviceAuthGuard does (the apikey, or the device token alone with
 * DEVICES_TOKEN_AUTH); the device is named by `token` in the body or the query string.
 */
@Injectable()
export class DevicesOwnerRoutes implements OnModuleInit {
  constructor(
    private readonly routes: OwnerRoutes,
    private readonly devices: DevicesService,
  ) {}

  onModuleInit(): void {
    const authenticate = (req: Request) => this.devices.callerOf(req);
    const session = async (req: Request) => {
      const token = requestField(req, 'token');
      return token ? ((await this.devices.findDevice(token))?.sessionId ?? null) : null;
    };
    this.routes.register(
      { method: 'POST', path: /^\/compat\/devices\/api\/(?:start|qrcode|pairing-code|logout|reconnect)$/, api: 'devices', authenticate, session },
      { method: 'GET', path: /^\/compat\/devices\/api\/(?:qrcode|groups)$/, api: 'devices', authenticate, session },
    );
  }
}
