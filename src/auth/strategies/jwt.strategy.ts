import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { extractCredential, looksLikeJwt } from '../credentials';
import { JwtKeysService } from '../jwt-keys.service';
import { Principal } from '../principal';

export interface JwtClaims {
  sub: string;
  role: 'admin';
  ver: number;
}

/** Verifies login JWTs (header, X-API-Key/apikey or cookie) with passport-jwt. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(private readonly keys: JwtKeysService) {
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
    if (claims.role !== 'admin' || claims.ver !== (await this.keys.currentVersion())) return false;
    return Principal.admin('jwt');
  }
}
