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
