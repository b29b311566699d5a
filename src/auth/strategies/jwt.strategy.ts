import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { extractCredential, looksLikeJwt } from '../credentials';
import { CredentialVerifier } from '../credential-verifier.service';
import { JwtKeysService } from '../jwt-keys.service';
import type { Principal } from '../principal';

export interface JwtClaims {
  sub: string;
  role: 'admin';
  /** The password version at issue time: a password change ends the JWT. */
  ver: number;
  /** Issued to this API token (`GET /api/auth/token`): the JWT ends when the token does. */
  tid?: string;
  /** Issued to the API_KEY: a fingerprint of it, so changing API_KEY ends the JWT. */
  akf?: string;
}

/** Verifies login JWTs (header, X-API-Key/apikey or cookie) with passport-jwt. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    keys: JwtKeysService,
    private readonly verifier: CredentialVerifier,
  ) {
    super({
      jwtFromRequest: (req: Request) => {
        const credential = extractCredential(req);
        return credential && looksLikeJwt(credential) ? credential : null;
      },
      secretOrKeyProvider: (_req: Request, _raw: string, done: (err: unknown, secret?: string) => void) => {
        keys.getSecret().then((s) => done(null, s), done);
      },
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: JwtClaims): Promise<Principal | false> {
    return (await this.verifier.principalForClaims(claims)) ?? false;
  }
}
