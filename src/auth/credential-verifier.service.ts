import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { extractCredential, issuedForAnotherApi, looksLikeJwt, unauthenticated } from './credentials';
import { JwtKeysService } from './jwt-keys.service';
import { Principal } from './principal';
import type { ProductApi } from './product-api';
import type { JwtClaims } from './strategies/jwt.strategy';
import { TokensService } from './tokens.service';

/**
 * How often a long-lived request (the event stream) re-checks its credential. Revocations and
 * password changes made through this process end it at once; ones made through another process
 * within this time plus the token cache's 5 s.
 */
export const CREDENTIAL_RECHECK_MS = 2_000;

/**
 * The one place that decides whether a credential is valid now: API_KEY, API tokens and JWTs.
 * A JWT stays valid only while the password version it carries is current and, when it was
 * issued to an API token or the API_KEY, while that token is live (or that key unchanged).
 */
@Injectable()
export class CredentialVerifier {
  constructor(
    private readonly keys: JwtKeysService,
    private readonly tokens: TokensService,
    private readonly jwt: JwtService,
  ) {}

  /** The principal for a credential, or null when it is not (or no longer) valid. */
  async authenticate(credential: string): Promise<Principal | null> {
    if (!looksLikeJwt(credential)) return this.tokens.authenticateCredential(credential);
    let claims: JwtClaims;
    try {
      claims = await this.jwt.verifyAsync<JwtClaims>(credential, { secret: await this.keys.getSecret(), algorithms: ['HS256'] });
    } catch {
      // Not a login JWT: perhaps a product credential issued as a JWT (a connection token).
      return this.tokens.authenticateCredential(credential);
    }
    return this.principalForClaims(claims);
  }

  /**
   * A request's caller as the global guard decides it for a route of `api` (null: the native
   * API), with the guard's errors; used where a request is judged before routing (a call
   * forwarded to the replica running its session is authenticated first).
   * @throws AppError UNAUTHENTICATED (401), FORBIDDEN (403, a token of another product API)
   */
  async authenticateRequest(req: Request, api: ProductApi | null): Promise<Principal> {
    const credential = extractCredential(req);
    const principal = credential ? await this.authenticate(credential) : null;
    if (!principal) throw unauthenticated();
    if (principal.api !== null && principal.api !== api) throw issuedForAnotherApi(principal.api);
    return principal;
  }

  /** Claims whose signature and expiry were verified → the principal, or null when revoked. */
  async principalForClaims(claims: JwtClaims): Promise<Principal | null> {
    if (claims.role !== 'admin' || claims.ver !== (await this.keys.currentVersion())) return null;
    if (claims.tid !== undefined && !(await this.tokens.isLiveAdmin(claims.tid))) return null;
    if (claims.akf !== undefined && claims.akf !== this.tokens.apiKeyFingerprint) return null;
    return Principal.admin('jwt');
  }

  /**
   * Calls `onInvalid` once when the credential stops being valid: checked every
   * CREDENTIAL_RECHECK_MS and at once on a revocation or password change in this process.
   * Returns the stop function.
   */
  watch(credential: string, onInvalid: () => void): () => void {
    let stopped = false;
    let checking = false;
    const check = () => {
      if (stopped || checking) return;
      checking = true;
      this.authenticate(credential)
        .then((principal) => principal, () => null)
        .then((principal) => {
          checking = false;
          if (!principal && !stopped) {
            stop();
            onInvalid();
          }
        });
    };
    const timer = setInterval(check, CREDENTIAL_RECHECK_MS);
    timer.unref();
    const offTokens = this.tokens.onChange(check);
    const offKeys = this.keys.onChange(check);
    const stop = () => {
      stopped = true;
      clearInterval(timer);
      offTokens();
      offKeys();
    };
    return stop;
  }
}
