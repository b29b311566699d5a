import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SettingEntity } from './entities/setting.entity';

export enum SettingKey {
  JWT_SECRET = 'auth.jwtSecret',
  ADMIN_PASSWORD_HASH = 'auth.adminPasswordHash',
  /** Bumped on password change: JWTs carrying an older version stop verifying. */
  JWT_VERSION = 'auth.jwtVersion',
  /** Signs the Cloud API facade's short-lived media download URLs (valid on every instance). */
  CLOUD_API_MEDIA_URL_KEY = 'cloudApi.mediaUrlKey',
}

/** Server-wide settings persisted in the database (survive restarts and redeploys). */
@Injectable()
export class SettingsService {
  constructor(@InjectRepository(SettingEntity) private readonly repo: Repository<SettingEntity>) {}

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
