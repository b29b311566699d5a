import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { LocalDiskMediaStorage, type MediaStorage } from '../media-storage';
import { LocalFileCache } from './local-file-cache';
import { PostgresMediaStorage } from './postgres-media-storage';
import { displayEndpoint, S3MediaStorage } from './s3-media-storage';

/**
 * The storage MEDIA_STORAGE selects. `disk` stores under DATA_DIR/media (one node); `postgres`
 * and `s3` are shared by every replica and keep local copies only in DATA_DIR/media/.cache.
 * The S3 bucket is checked before the app starts serving.
 * @throws S3BucketUnavailableError
 */
export async function createMediaStorage(config: AppConfig, db: DataSource): Promise<MediaStorage> {
  const m = config.media;
  const cache = () => new LocalFileCache(m.cacheDir, m.cacheMaxBytes);
  switch (m.storage) {
    case 'postgres':
      new Logger('MediaStorage').log({ backend: 'postgres' }, 'Media stored in the database');
      return new PostgresMediaStorage(db, cache());
    case 's3': {
      const s3 = new S3MediaStorage(m.s3!, cache());
      await s3.checkBucket();
      new Logger('MediaStorage').log({ backend: 's3', bucket: m.s3!.bucket, endpoint: m.s3!.endpoint ? displayEndpoint(m.s3!.endpoint) : 'aws' }, 'Media stored in S3-compatible storage');
      return s3;
    }
    default:
      return new LocalDiskMediaStorage(m.dir);
  }
}
