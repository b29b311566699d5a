import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { SessionEntity } from './entities/session.entity';
import { SessionResolver } from './session-resolver';

/** The reads SessionAccess needs (SessionResolver in the app; a fake in unit specs). */
export type SessionLookup = Pick<SessionResolver, 'getEntity' | 'idsInWorkspace'>;

/**
 * Which sessions a caller may act on. Admin credentials reach every session; a token bound
 * to a session reaches that session only; a token bound to a workspace reaches the sessions
 * labelled with it. Routes with a `{sessionId}` get this through SessionPipe; a service calls
 * it itself only for a session named in a body or query.
 */
@Injectable()
export class SessionAccess {
  constructor(@Inject(SessionResolver) private readonly resolver: SessionLookup) {}

  /**
   * Resolves a session reference (id, mobile number or mobid) and checks the caller may act on it.
   * @throws SessionNotFoundError (404), ForbiddenError (403)
   */
  async authorize(principal: Principal, ref: string): Promise<SessionEntity> {
    const session = await this.resolver.getEntity(ref);
    principal.assertSession(session.id, session.settings.workspace ?? null);
    return session;
  }

  /**
   * The sessions a caller may see, narrowed to `ref` when given: null means every session.
   * @throws SessionNotFoundError, ForbiddenError (ref outside the caller's session or workspace)
   */
  async visibleSessionIds(principal: Principal, ref?: string): Promise<string[] | null> {
    if (ref) return [(await this.authorize(principal, ref)).id];
    if (principal.sessionId) return [principal.sessionId];
    if (principal.workspace) return this.idsInWorkspace(principal.workspace);
    return null;
  }

  idsInWorkspace(workspace: string): Promise<string[]> {
    return this.resolver.idsInWorkspace(workspace);
  }
}
