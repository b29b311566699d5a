import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { SettingKey, SettingsService } from '../settings/settings.service';
import { JwtKeysService } from './jwt-keys.service';
import type { Principal } from './principal';
import { PasswordAttempts } from './password-attempts';
import type { JwtClaims } from './strategies/jwt.strategy';
import { TokensService } from './tokens.service';
import { hashPassword, safeEqual, verifyPassword } from './secrets';

export interface IssuedJwt {
  token: string;
  expiresIn: number;
}

/**
 * Admin password and login JWTs. The password is the one set through change-password (kept
 * as an scrypt hash) or, until then, ADMIN_PASSWORD.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly settings: SettingsService,
    private readonly keys: JwtKeysService,
    private readonly jwt: JwtService,
    private readonly tokens: TokensService,
    private readonly attempts: PasswordAttempts,
  ) {}

  async hasPassword(): Promise<boolean> {
    return Boolean(this.config.auth.adminPassword) || (await this.settings.get(SettingKey.ADMIN_PASSWORD_HASH)) !== null;
  }

  /**
   * `clientIp`: the caller's address, for the failed-attempt limit.
   * @throws AppError PASSWORD_NOT_SET, INVALID_CREDENTIALS, TOO_MANY_ATTEMPTS
   */
  async login(password: string, clientIp: string | undefined): Promise<IssuedJwt> {
    if (!(await this.hasPassword())) {
      throw new AppError(ErrorCode.PASSWORD_NOT_SET, 'No admin password is configured; set ADMIN_PASSWORD or call change-password');
    }
    if (!(await this.checkPassword(password, clientIp))) throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'Wrong password');
    return this.issueJwt();
  }

  /**
   * Sets a new admin password. The current one is required when one exists. Every JWT
   * issued before stops verifying. Wrong current passwords count towards the failed-attempt limit.
   * @throws AppError INVALID_CREDENTIALS, TOO_MANY_ATTEMPTS
   */
  async changePassword(currentPassword: string | undefined, newPassword: string, clientIp: string | undefined): Promise<void> {
    if ((await this.hasPassword()) && !(await this.checkPassword(currentPassword ?? '', clientIp))) {
      throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'The current password is wrong');
    }
    await this.settings.set(SettingKey.ADMIN_PASSWORD_HASH, await hashPassword(newPassword));
    await this.keys.bumpVersion();
  }

  /**
   * A login JWT, or one for `issuer` (`GET /api/auth/token`): a JWT issued to an API token
   * ends when that token is revoked or expires, one issued to the API_KEY when API_KEY changes.
   */
  async issueJwt(issuer?: Principal): Promise<IssuedJwt> {
    const expiresIn = this.config.auth.jwtExpiresInSeconds;
    const claims: JwtClaims = { sub: 'admin', role: 'admin', ver: await this.keys.currentVersion() };
    if (issuer?.kind === 'token' && issuer.tokenId) claims.tid = issuer.tokenId;
    if (issuer?.kind === 'api-key') claims.akf = this.tokens.apiKeyFingerprint;
    const token = await this.jwt.signAsync(claims, { secret: await this.keys.getSecret(), expiresIn, algorithm: 'HS256' });
    return { token, expiresIn };
  }

  /** Every check is counted by `PasswordAttempts`; a right password is given back. @throws AppError TOO_MANY_ATTEMPTS */
  private async checkPassword(password: string, clientIp: string | undefined): Promise<boolean> {
    this.attempts.begin(clientIp);
    const right = await this.matches(password);
    if (right) this.attempts.succeeded(clientIp);
    return right;
  }

  private async matches(password: string): Promise<boolean> {
    const stored = await this.settings.get(SettingKey.ADMIN_PASSWORD_HASH);
    if (stored) return verifyPassword(password, stored);
    const fromEnv = this.config.auth.adminPassword;
    return fromEnv !== undefined && safeEqual(password, fromEnv);
  }
}
