import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import { AppConfig } from '../../config/app-config';
import { extractCredential, looksLikeJwt } from '../credentials';
import { Principal } from '../principal';
import { safeEqual } from '../secrets';
import { TokensService } from '../tokens.service';

/** Accepts the static API_KEY and stored API tokens, from any of the credential headers. */
@Injectable()
export class ApiTokenStrategy extends PassportStrategy(Strategy, 'api-token') {
  constructor(
    private readonly config: AppConfig,
    private readonly tokens: TokensService,
  ) {
    super();
  }

  async validate(req: Request): Promise<Principal | false> {
    const credential = extractCredential(req);
    if (!credential || looksLikeJwt(credential)) return false;
    const apiKey = this.config.auth.apiKey;
    if (apiKey && safeEqual(credential, apiKey)) return Principal.admin('api-key');
    return (await this.tokens.authenticate(credential)) ?? false;
  }
}
