import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SettingKey, SettingsService } from '../settings/settings.service';

/**
 * The JWT signing secret: JWT_SECRET when given, otherwise one generated on first start and
 * kept in the database so tokens stay valid across restarts and replicas.
 */
@Injectable()
export class JwtKeysService {
  private secret?: Promise<string>;

  constructor(
    private readonly config: AppConfig,
    private readonly settings: SettingsService,
  ) {}

  getSecret(): Promise<string> {
    this.secret ??= this.config.auth.jwtSecret
      ? Promise.resolve(this.config.auth.jwtSecret)
      : this.settings.getOrCreate(SettingKey.JWT_SECRET, () => randomBytes(48).toString('base64url'));
    return this.secret;
  }

  async currentVersion(): Promise<number> {
    return Number((await this.settings.get(SettingKey.JWT_VERSION)) ?? '0');
  }

  async bumpVersion(): Promise<void> {
    await this.settings.set(SettingKey.JWT_VERSION, String((await this.currentVersion()) + 1));
  }
}
