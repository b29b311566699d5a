import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import { ADMIN_ONLY } from '../decorators';
import type { Principal } from '../principal';

/**
 * Global guard: every route needs a credential unless marked `@Public()`; routes marked
 * `@AdminOnly()` also need an admin principal.
 */
@Injectable()
export class ApiAuthGuard extends AuthGuard(['jwt', 'api-token']) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && !principal?.isAdmin) {
      throw new AppError(ErrorCode.ADMIN_REQUIRED, 'This route needs an admin credential');
    }
    return true;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err) throw err;
    if (!user) {
      throw new AppError(
        ErrorCode.UNAUTHENTICATED,
        'A valid credential is required: Authorization: Bearer <token>, X-API-Key or apikey header',
      );
    }
    return user;
  }
}
