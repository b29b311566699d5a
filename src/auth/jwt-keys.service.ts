import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SettingKey, SettingsService } from '../settings/settings.service';

/**
 * The JWT signing secret: JWT_SECRET when given, otherwise one generated on first start and
 * kept in the database (encrypted with the master key) so tokens stay valid across restarts and replicas.
 */
/** How long the password version is trusted without reading it again (changes made here apply at once). */
const VERSION_TTL_MS = 5_000;

@Injectable()
export class JwtKeysService {
  private secret?: Promise<string>;
  private version?: { value: Promise<number>; readAt: number };
  private readonly changes = new EventEmitter();

  constructor(
    private readonly config: AppConfig,
    private readonly settings: SettingsService,
  ) {
    this.changes.setMaxListeners(0);
  }

  getSecret(): Promise<string> {
    this.secret ??= this.config.auth.jwtSecret
      ? Promise.resolve(this.config.auth.jwtSecret)
      : this.settings.getOrCreateSecret(SettingKey.JWT_SECRET, () => randomBytes(48).toString('base64url'));
    return this.secret;
  }

  currentVersion(): Promise<number> {
    const now = Date.now();
    if (!this.version || now - this.version.readAt >= VERSION_TTL_MS) {
      const value = this.settings.get(SettingKey.JWT_VERSION).then((v) => Number(v ?? '0'));
      value.catch(() => (this.version = undefined));
      this.version = { value, readAt: now };
    }
    return this.version.value;
  }

  async bumpVersion(): Promise<void> {
    this.version = undefined;
    await this.settings.set(SettingKey.JWT_VERSION, String((await this.currentVersion()) + 1));
    this.version = undefined;
    this.changes.emit('change');
  }

  /** Calls `listener` after every password version change made through this process. */
  onChange(listener: () => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }
}
