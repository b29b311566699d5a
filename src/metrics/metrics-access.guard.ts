import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { extractCredential } from '../auth/credentials';
import { CredentialVerifier } from '../auth/credential-verifier.service';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Who may read /metrics: a scraper with `Authorization: Bearer <METRICS_TOKEN>`, or an admin
 * credential (API_KEY, admin token, login JWT) as everywhere else. Without METRICS_TOKEN only
 * an admin may. The route is public to the global guard, which would refuse METRICS_TOKEN.
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly token: Buffer | null;

  constructor(
    config: AppConfig,
    private readonly verifier: CredentialVerifier,
  ) {
    this.token = config.metrics.token ? digest(config.metrics.token) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (this.token && bearer && timingSafeEqual(digest(bearer), this.token)) return true;
    const credential = extractCredential(req);
    const principal = credential ? await this.verifier.authenticate(credential) : null;
    if (!principal) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'A valid credential is required: Authorization: Bearer <METRICS_TOKEN> or an admin credential');
    }
    if (!principal.isAdmin) throw new AppError(ErrorCode.ADMIN_REQUIRED, 'Metrics need METRICS_TOKEN or an admin credential');
    return true;
  }
}
