import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import { extractCredential, looksLikeJwt } from '../credentials';
import { ADMIN_ONLY } from '../decorators';
import type { Principal } from '../principal';
import { TokensService } from '../tokens.service';

function unauthenticated(): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, 'A valid credential is required: Authorization: Bearer <token>, X-API-Key or apikey header');
}

/**
 * Global guard: every route needs a credential unless marked `@Public()`; routes marked
 * `@AdminOnly()` also need an admin principal. Login JWTs are verified by passport-jwt
 * (signature, expiry, password version); API_KEY and API tokens are opaque secrets looked
 * up directly, which keeps the per-request cost of the common case small.
 */
@Injectable()
export class ApiAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const credential = extractCredential(req);
    if (!credential) throw unauthenticated();
    if (looksLikeJwt(credential)) {
      await super.canActivate(context);
    } else {
      req.user = (await this.tokens.authenticateCredential(credential)) ?? undefined;
      if (!req.user) throw unauthenticated();
    }
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && !req.user?.isAdmin) {
      throw new AppError(ErrorCode.ADMIN_REQUIRED, 'This route needs an admin credential');
    }
    return true;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err) throw err;
    if (!user) throw unauthenticated();
    return user;
  }
}
