import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal } from './principal';

export const ADMIN_ONLY = 'switchboard:adminOnly';

/** The route needs an admin credential (API_KEY, login JWT or an admin token). */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/** The authenticated caller, set by the global guard. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<{ user: Principal }>().user,
);
