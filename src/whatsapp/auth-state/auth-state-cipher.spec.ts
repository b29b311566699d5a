import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AuthStateCipher } from './auth-state-cipher';

describe('AuthStateCipher', () => {
  const key = randomBytes(32).toString('hex');

  it('round-trips and hides the plaintext', () => {
    const c = new AuthStateCipher(key);
    const sealed = c.seal('{"noiseKey":"secret"}', 's1/creds/creds');
    assert.match(sealed, /^enc:v1:/);
    assert.ok(!sealed.includes('secret'));
    assert.equal(c.open(sealed, 's1/creds/creds'), '{"noiseKey":"secret"}');
  });

  it('refuses a value moved to another row', () => {
    const c = new AuthStateCipher(key);
    const sealed = c.seal('v', 's1/session/a.0');
    assert.throws(() => c.open(sealed, 's2/session/a.0'));
  });

  it('accepts base64 keys, passes plain rows through and needs the key for sealed ones', () => {
    const b64 = new AuthStateCipher(randomBytes(32).toString('base64'));
    assert.equal(b64.open('{"plain":true}', 'x'), '{"plain":true}');
    const none = new AuthStateCipher(undefined);
    assert.equal(none.seal('v', 'x'), 'v');
    assert.throws(() => none.open(new AuthStateCipher(key).seal('v', 'x'), 'x'), /AUTH_STATE_KEY/);
  });
});
