import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '../../auth/principal';
import { DevicesService } from './devices.service';

type DeviceRequest = Request & { devicesCaller?: Principal | null };

/**
 * Authenticates the per-device routes, which skip the global guard (`@Public()`): the apikey
 * (or any credential the global guard reads) when sent, else, with DEVICES_TOKEN_AUTH, the
 * device token alone, checked once the device is looked up. It runs before validation, so a
 * request without a credential is a 401 whatever its body.
 */
@Injectable()
export class DeviceAuthGuard implements CanActivate {
  constructor(private readonly devices: DevicesService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<DeviceRequest>();
    req.devicesCaller = await this.devices.callerOf(req);
    return true;
  }
}

/** The caller DeviceAuthGuard found: a principal, or null for "the device token alone". */
export const DeviceCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | null => ctx.switchToHttp().getRequest<DeviceRequest>().devicesCaller ?? null);
