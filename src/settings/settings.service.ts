import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AtRestEncryption, reencryptColumn, underReencryptLock } from '../crypto/at-rest-encryption';
import { SecretBox } from '../crypto/secret-box';
import { SettingEntity } from './entities/setting.entity';

export enum SettingKey {
  JWT_SECRET = 'auth.jwtSecret',
  ADMIN_PASSWORD_HASH = 'auth.adminPasswordHash',
  /** Bumped on password change: JWTs carrying an older version stop verifying. */
  JWT_VERSION = 'auth.jwtVersion',
  /** Signs the Cloud API facade's short-lived media download URLs (valid on every instance). */
  CLOUD_API_MEDIA_URL_KEY = 'cloudApi.mediaUrlKey',
  /** The phones manager API's own local password (scrypt hash; not the admin password). */
  PHONES_PASSWORD_HASH = 'phones.passwordHash',
  /** Signs the phones manager API's login JWTs (they are checked by hash as API tokens). */
  PHONES_JWT_SECRET = 'phones.jwtSecret',
}

/** Settings that are secrets: stored encrypted with the master key (`getSecret`, `getOrCreateSecret`). */
const SECRET_KEYS: readonly SettingKey[] = [SettingKey.JWT_SECRET, SettingKey.CLOUD_API_MEDIA_URL_KEY, SettingKey.PHONES_JWT_SECRET];

/** Server-wide settings persisted in the database (survive restarts and redeploys). */
@Injectable()
export class SettingsService {
  constructor(
    @InjectRepository(SettingEntity) private readonly repo: Repository<SettingEntity>,
    private readonly box: SecretBox,
    encryption: AtRestEncryption,
  ) {
    encryption.register({ name: 'setting', reencrypt: () => this.reencryptSecrets() });
  }

  /** A secret setting, decrypted. */
  async getSecret(key: SettingKey): Promise<string | null> {
    const stored = await this.get(key);
    return stored === null ? null : this.box.open(stored, secretAddress(key));
  }

  /** Like `getOrCreate`, for a secret: stored encrypted, returned decrypted. */
  async getOrCreateSecret(key: SettingKey, create: () => string): Promise<string> {
    await this.repo.createQueryBuilder().insert().values({ key, value: this.box.seal(create(), secretAddress(key)) }).orIgnore().execute();
    return (await this.getSecret(key))!;
  }

  /** Seals secret settings stored in plaintext or under a previous key (boot step). */
  reencryptSecrets(): Promise<number> {
    return underReencryptLock(this.repo.manager, (tx) =>
      reencryptColumn(tx, this.box, {
        table: 'setting',
        keys: ['key'],
        column: 'value',
        where: `key IN (${SECRET_KEYS.map((k) => `'${k}'`).join(', ')})`,
        address: (row) => secretAddress(row.key as SettingKey),
      }),
    );
  }

  async get(key: SettingKey): Promise<string | null> {
    return (await this.repo.findOneBy({ key }))?.value ?? null;
  }

  async set(key: SettingKey, value: string): Promise<void> {
    await this.repo.upsert({ key, value }, ['key']);
  }

  /**
   * Returns the stored value, or stores `create()` and returns it. Concurrent callers (two
   * processes booting) converge on the first value written.
   */
  async getOrCreate(key: SettingKey, create: () => string): Promise<string> {
    await this.repo.createQueryBuilder().insert().values({ key, value: create() }).orIgnore().execute();
    return (await this.get(key))!;
  }
}

function secretAddress(key: SettingKey): string {
  return `setting/${key}`;
}
