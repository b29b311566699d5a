import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import { extractCredential, issuedForAnotherApi, looksLikeJwt, unauthenticated } from '../credentials';
import { ADMIN_ONLY } from '../decorators';
import { PRODUCT_API, ProductApi } from '../product-api';
import type { Principal } from '../principal';
import { TokensService } from '../tokens.service';

interface RouteFlags {
  isPublic: boolean;
  adminOnly: boolean;
  /** The sibling product API the route belongs to, or null for the native API. */
  productApi: ProductApi | null;
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

  /** Each route's `@Public()` / `@AdminOnly()` flags by controller and handler, read once. */
  private readonly routeFlags = new WeakMap<Function, WeakMap<Function, RouteFlags>>();

  /**
   * Synchronous when the answer is known without I/O (a public route, the API_KEY, an API token
   * verified moments ago), so the common request pays no promise here; a login JWT or a token
   * not in the cache is looked up.
   */
  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const flags = this.flagsOf(context);
    if (flags.isPublic) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const credential = extractCredential(req);
    if (!credential) throw unauthenticated();
    const known = looksLikeJwt(credential) ? undefined : this.tokens.knownCredential(credential);
    if (known) return this.admit(req, known, flags);
    return this.principalOf(context, req, credential).then((principal) => this.admit(req, principal, flags));
  }

  /** Sets the request's principal once it passes the route's product-API and admin rules. */
  private admit(req: Request & { user?: Principal }, principal: Principal | null, { adminOnly, productApi }: RouteFlags): true {
    req.user = principal ?? undefined;
    if (!req.user) throw unauthenticated();
    if (req.user.api !== null && req.user.api !== productApi) {
      throw issuedForAnotherApi(req.user.api);
    }
    if (adminOnly && !req.user.isAdmin) {
      throw new AppError(ErrorCode.ADMIN_REQUIRED, 'This route needs an admin credential');
    }
    return true;
  }

  /**
   * Login JWTs go through passport-jwt; a JWT it refuses may still be a product credential
   * issued as a JWT (a connection token), known by its hash like any API token.
   */
  private async principalOf(context: ExecutionContext, req: Request & { user?: Principal }, credential: string): Promise<Principal | null> {
    if (looksLikeJwt(credential)) {
      const isLoginJwt = await Promise.resolve(super.canActivate(context) as Promise<boolean>).then(
        () => true,
        () => false,
      );
      if (isLoginJwt && req.user) return req.user;
    }
    return this.tokens.authenticateCredential(credential);
  }

  private flagsOf(context: ExecutionContext): RouteFlags {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.routeFlags.get(controller);
    if (!byHandler) this.routeFlags.set(controller, (byHandler = new WeakMap()));
    let flags = byHandler.get(handler);
    if (!flags) {
      const targets = [handler, controller];
      flags = {
        isPublic: Boolean(this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)),
        adminOnly: Boolean(this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets)),
        productApi: this.reflector.getAllAndOverride<ProductApi | undefined>(PRODUCT_API, targets) ?? null,
      };
      byHandler.set(handler, flags);
    }
    return flags;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err) throw err;
    if (!user) throw unauthenticated();
    return user;
  }
}
