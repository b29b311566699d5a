import { ForbiddenError } from '../common/errors/app-error';

export type PrincipalKind = 'api-key' | 'jwt' | 'token';

/**
 * Who is calling. Admin principals (static API_KEY, a login JWT, admin tokens) may do
 * everything; API tokens may be bound to one session and then act on that session only.
 */
export class Principal {
  constructor(
    readonly kind: PrincipalKind,
    readonly isAdmin: boolean,
    readonly tokenId: string | null = null,
    readonly sessionId: string | null = null,
  ) {}

  static admin(kind: PrincipalKind, tokenId: string | null = null): Principal {
    return new Principal(kind, true, tokenId);
  }

  canAccessSession(sessionId: string): boolean {
    return this.sessionId === null || this.sessionId === sessionId;
  }

  /** @throws ForbiddenError (403) when the credential is bound to another session. */
  assertSession(sessionId: string): void {
    if (!this.canAccessSession(sessionId)) {
      throw new ForbiddenError(`This token is bound to another session and may not act on '${sessionId}'`);
    }
  }
}
