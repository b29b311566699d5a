import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { CredentialVerifier } from '../../auth/credential-verifier.service';
import { looksLikeJwt } from '../../auth/credentials';
import { PasswordAttempts } from '../../auth/password-attempts';
import type { Principal } from '../../auth/principal';
import { hashPassword, verifyPassword } from '../../auth/secrets';
import { TokensService } from '../../auth/tokens.service';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { SettingKey, SettingsService } from '../../settings/settings.service';

/** Login tokens of the phones manager API live 7 days. */
export const PHONES_LOGIN_TTL_SECONDS = 7 * 24 * 3600;
/** The API token name of login JWTs (revoked together on a password change). */
const LOGIN_TOKEN_NAME = 'phones login';
const PERMANENT_TOKEN_NAME = 'phones token';

/**
 * The phones manager's own local password (not the server's admin password) and the
 * credentials it issues. Every credential is a native API token for the `phones` API: a
 * login JWT (signed here, checked by hash like any API token, so revocable from the native
 * token API) or a permanent `sb_…` token.
 */
@Injectable()
export class PhonesAuthService {
  constructor(
    private readonly settings: SettingsService,
    private readonly tokens: TokensService,
    private readonly verifier: CredentialVerifier,
    private readonly attempts: PasswordAttempts,
    private readonly jwt: JwtService,
  ) {}

  async hasPassword(): Promise<boolean> {
    return (await this.settings.get(SettingKey.PHONES_PASSWORD_HASH)) !== null;
  }

  /**
   * A login JWT valid for 7 days.
   * @throws AppError PASSWORD_NOT_SET (409), INVALID_CREDENTIALS (401), TOO_MANY_ATTEMPTS (429)
   */
  async login(password: string, clientIp: string | undefined): Promise<{ token: string; expiresIn: number }> {
    await this.checkPassword(password, clientIp);
    const secret = await this.settings.getOrCreateSecret(SettingKey.PHONES_JWT_SECRET, () => randomBytes(48).toString('base64url'));
    const token = await this.jwt.signAsync(
      { sub: 'phones', typ: 'phones-login' },
      { secret, expiresIn: PHONES_LOGIN_TTL_SECONDS, algorithm: 'HS256', jwtid: randomUUID() },
    );
    await this.tokens.create({ name: LOGIN_TOKEN_NAME, role: 'api', api: 'phones', secret: token, expiresInSeconds: PHONES_LOGIN_TTL_SECONDS });
    return { token, expiresIn: PHONES_LOGIN_TTL_SECONDS };
  }

  /** A token that never expires (shown once). @throws like `login` */
  async generateToken(password: string, clientIp: string | undefined): Promise<string> {
    await this.checkPassword(password, clientIp);
    return (await this.tokens.create({ name: PERMANENT_TOKEN_NAME, role: 'api', api: 'phones' })).token;
  }

  /**
   * Sets the password (no current one: only with the admin credential, since the first caller
   * would otherwise own the API) or changes it (the current one must match); every earlier
   * login JWT is revoked. Permanent tokens stay (revoke them from the native token API).
   * @throws AppError ADMIN_REQUIRED (403), INVALID_CREDENTIALS (401), TOO_MANY_ATTEMPTS (429)
   */
  async changePassword(principal: Principal, oldPassword: string | undefined, newPassword: string, clientIp: string | undefined): Promise<void> {
    if (await this.hasPassword()) {
      if (oldPassword === undefined) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'oldPassword is required once a password is set', {
          fields: [{ field: 'oldPassword', messages: ['oldPassword is required once a password is set'] }],
        });
      }
      await this.checkPassword(oldPassword, clientIp, 'The current password is wrong');
    } else if (!principal.isAdmin) {
      throw new AppError(ErrorCode.ADMIN_REQUIRED, 'No password is set yet: setting the first one needs the server admin credential');
    }
    await this.settings.set(SettingKey.PHONES_PASSWORD_HASH, await hashPassword(newPassword));
    await this.tokens.revokeWhere({ api: 'phones', name: LOGIN_TOKEN_NAME });
  }

  /** Whether a credential is valid on this API now (a phones token or the admin credential). */
  async isValid(credential: string | null | undefined): Promise<boolean> {
    if (!credential) return false;
    const principal = await this.verifier.authenticate(credential).catch(() => null);
    return Boolean(principal && (principal.isAdmin || principal.api === 'phones'));
  }

  /** Revokes a login JWT (a permanent token or the admin credential is left alone). */
  async logout(credential: string | null): Promise<void> {
    if (!credential || !looksLikeJwt(credential)) return;
    const principal = await this.tokens.authenticate(credential);
    if (principal?.api === 'phones' && principal.tokenId) await this.tokens.revoke(principal.tokenId);
  }

  private async checkPassword(password: string, clientIp: string | undefined, wrong = 'Wrong password'): Promise<void> {
    const stored = await this.settings.get(SettingKey.PHONES_PASSWORD_HASH);
    if (!stored) throw new AppError(ErrorCode.PASSWORD_NOT_SET, 'No password is set yet; set one with change-password');
    this.attempts.begin(clientIp);
    if (!(await verifyPassword(password, stored))) throw new AppError(ErrorCode.INVALID_CREDENTIALS, wrong);
    this.attempts.succeeded(clientIp);
  }
}
