import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppConfig } from './app-config';
import { ConfigValidationError, validateEnv } from './env.schema';

describe('validateEnv', () => {
  it('applies defaults for an empty environment', () => {
    const env = validateEnv({});
    assert.equal(env.PORT, 3000);
    assert.equal(env.WA_ENGINE, 'baileys');
    assert.equal(env.DATA_DIR, './data');
    assert.equal(env.DATABASE_URL, undefined);
  });

  it('names every offending key and never a value', () => {
    const secret = 'short-secret-value';
    try {
      validateEnv({ PORT: 'eighty', WA_ENGINE: 'selenium', JWT_SECRET: secret, AUTH_STATE_KEY: 'nothex' });
      assert.fail('expected a ConfigValidationError');
    } catch (err) {
      assert.ok(err instanceof ConfigValidationError);
      assert.deepEqual(err.keys, ['AUTH_STATE_KEY', 'JWT_SECRET', 'PORT', 'WA_ENGINE']);
      assert.ok(!err.message.includes(secret));
      assert.ok(!err.message.includes('selenium'));
    }
  });

  it('refuses the WhatsApp simulator in production', () => {
    assert.throws(
      () => validateEnv({ NODE_ENV: 'production', WA_SIMULATOR_URL: 'ws://127.0.0.1:1/ws/chat', WA_SIMULATOR_ROOT_KEY: 'a'.repeat(64) }),
      (err: ConfigValidationError) => err.keys.includes('WA_SIMULATOR_URL') && err.keys.includes('WA_SIMULATOR_ROOT_KEY'),
    );
    assert.doesNotThrow(() => validateEnv({ NODE_ENV: 'test', WA_SIMULATOR_URL: 'ws://127.0.0.1:1/ws/chat' }));
  });

  it('treats empty strings as unset', () => {
    assert.equal(validateEnv({ DATABASE_URL: '', API_KEY: '' }).DATABASE_URL, undefined);
  });
});

describe('AppConfig', () => {
  it('groups values and resolves the data dir', () => {
    const c = new AppConfig({ DATA_DIR: '/var/lib/switchboard', JWT_EXPIRES_IN: '2h', DATABASE_URL: 'postgres://x@h/db' });
    assert.equal(c.dataDir, '/var/lib/switchboard');
    assert.equal(c.auth.jwtExpiresInSeconds, 7200);
    assert.equal(c.db.embedded, false);
    assert.equal(c.db.embeddedDir, '/var/lib/switchboard/pglite');
  });
});

describe('media storage settings', () => {
  it('defaults to the local disk and needs a bucket for s3', () => {
    assert.equal(new AppConfig({}).media.storage, 'disk');
    assert.equal(new AppConfig({}).media.s3, undefined);
    const keys = (env: Record<string, string>) => {
      try {
        validateEnv(env);
        return [];
      } catch (err) {
        return (err as ConfigValidationError).keys;
      }
    };
    assert.deepEqual(keys({ MEDIA_STORAGE: 's3' }), ['S3_BUCKET']);
    assert.deepEqual(keys({ MEDIA_STORAGE: 'nfs' }), ['MEDIA_STORAGE']);
    assert.deepEqual(keys({ MEDIA_STORAGE: 's3', S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'id' }), ['S3_SECRET_ACCESS_KEY'], 'both credentials or neither');
    assert.deepEqual(keys({ MEDIA_STORAGE: 's3', S3_BUCKET: 'media', S3_KEY_PREFIX: '../x' }), ['S3_KEY_PREFIX']);
    assert.deepEqual(keys({ MEDIA_STORAGE: 's3', S3_BUCKET: 'media', S3_KEY_PREFIX: 'no-slash' }), ['S3_KEY_PREFIX']);
  });

  it('groups the S3 settings and keeps the cache inside the media dir', () => {
    const c = new AppConfig({
      DATA_DIR: '/srv/sb',
      MEDIA_STORAGE: 's3',
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'switchboard-media',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true',
      S3_KEY_PREFIX: 'tenant/',
      MEDIA_CACHE_MAX_MB: '10',
    });
    assert.equal(c.media.cacheDir, '/srv/sb/media/.cache');
    assert.equal(c.media.cacheMaxBytes, 10 * 1024 * 1024);
    assert.deepEqual(c.media.s3, {
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      bucket: 'switchboard-media',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
      forcePathStyle: true,
      keyPrefix: 'tenant/',
    });
  });
});
