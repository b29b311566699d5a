import { ForbiddenError } from '../common/errors/app-error';
import type { ProductApi } from './product-api';

export type PrincipalKind = 'api-key' | 'jwt' | 'token';

/**
 * Who is calling. Admin principals (static API_KEY, a login JWT, admin tokens) may do
 * everything; API tokens may be bound to one session and then act on that session only.
 * A principal is never both: binding always wins over the admin role.
 */
export class Principal {
  constructor(
    readonly kind: PrincipalKind,
    readonly isAdmin: boolean,
    readonly tokenId: string | null = null,
    readonly sessionId: string | null = null,
    /** Set on workspace-bound tokens: only sessions labelled with this workspace (the device-token gateway). */
    readonly workspace: string | null = null,
    /** Set on tokens issued for one sibling product's API: they work on that API's routes only. */
    readonly api: ProductApi | null = null,
  ) {
    if (isAdmin && (this.isBound || api !== null)) throw new Error('A principal bound to a session, workspace or product API cannot be an admin');
  }

  /** Whether the credential is confined to one session or one workspace. */
  get isBound(): boolean {
    return this.sessionId !== null || this.workspace !== null;
  }

  static admin(kind: PrincipalKind, tokenId: string | null = null): Principal {
    return new Principal(kind, true, tokenId);
  }

  canAccessSession(sessionId: string, workspace: string | null = null): boolean {
    if (this.sessionId !== null && this.sessionId !== sessionId) return false;
    return this.workspace === null || this.workspace === workspace;
  }

  /** @throws ForbiddenError (403) when the credential is bound to another session or workspace. */
  assertSession(sessionId: string, workspace: string | null = null): void {
    if (!this.canAccessSession(sessionId, workspace)) {
      throw new ForbiddenError(`This token is bound to another ${this.sessionId ? 'session' : 'workspace'} and may not act on '${sessionId}'`);
    }
  }
}
