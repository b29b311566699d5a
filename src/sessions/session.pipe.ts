import { createParamDecorator, Injectable, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '../auth/principal';
import { assertSafeInput } from '../common/validation/input-guard';
import type { SessionEntity } from './entities/session.entity';
import { SessionAccess } from './session-access';

/** The route's `{sessionId}` as typed by the caller, with the caller. */
export interface SessionRouteRef {
  principal: Principal | undefined;
  ref: string | undefined;
}

/** The path parameter every session route names its session with. */
export const SESSION_PARAM = 'sessionId';

/**
 * Turns a route's `{sessionId}` (id, mobile number or mobid) into the session it names, once
 * the caller is known to be allowed on it: 404 SESSION_NOT_FOUND, 403 FORBIDDEN otherwise.
 * Like any path value, a ref with a NUL or a lone surrogate is a 400 on `sessionId`.
 * It runs as a parameter pipe (after the guards, next to the other parameters' validation), so
 * a malformed body or query of a route naming a missing session still answers 400: validation
 * needs no database round trip, the lookup does.
 */
@Injectable()
export class SessionPipe implements PipeTransform<SessionRouteRef, Promise<SessionEntity>> {
  constructor(private readonly access: SessionAccess) {}

  async transform({ principal, ref }: SessionRouteRef): Promise<SessionEntity> {
    if (!principal) throw new Error('@RouteSession() needs an authenticated route');
    if (ref === undefined) throw new Error(`@RouteSession() needs a route with a {${SESSION_PARAM}} parameter`);
    assertSafeInput(ref, SESSION_PARAM);
    return this.access.authorize(principal, ref);
  }
}

/** Reads the caller and the route's `{sessionId}` for SessionPipe. */
export function sessionRouteRef(_: unknown, ctx: ExecutionContext): SessionRouteRef {
  const req = ctx.switchToHttp().getRequest<Request & { user?: Principal }>();
  const ref: unknown = req.params?.[SESSION_PARAM];
  return { principal: req.user, ref: typeof ref === 'string' ? ref : undefined };
}

const SessionRouteRefParam = createParamDecorator(sessionRouteRef);

/**
 * The session named by the route's `{sessionId}`, resolved and authorized for the caller:
 * `@RouteSession() session: SessionEntity`.
 */
export const RouteSession = (): ParameterDecorator => SessionRouteRefParam(SessionPipe);
