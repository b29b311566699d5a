import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keyId, loadKeyring } from './master-key';
import { SecretBox, UnknownKeyError } from './secret-box';

const hex = () => randomBytes(32).toString('hex');

/** What AUTH_STATE_KEY wrote before the master key existed. */
function sealV1(key: string, plain: string, address: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'hex'), iv);
  cipher.setAAD(Buffer.from(address));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `enc:v1:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${body.toString('base64')}`;
}

describe('SecretBox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secret-box-'));

  it('round-trips, hides the plaintext and names the key', () => {
    const key = hex();
    const box = new SecretBox(loadKeyring({ masterKey: key }, dir));
    const sealed = box.seal('{"noiseKey":"secret"}', 's1/creds/creds');
    assert.ok(sealed.startsWith(`enc:v2:${keyId(Buffer.from(key, 'hex'))}:`));
    assert.ok(!sealed.includes('secret'));
    assert.equal(box.open(sealed, 's1/creds/creds'), '{"noiseKey":"secret"}');
    assert.ok(box.isCurrent(sealed));
  });

  it('refuses a value moved to another row', () => {
    const box = new SecretBox(loadKeyring({ masterKey: hex() }, dir));
    assert.throws(() => box.open(box.seal('v', 's1/session/a.0'), 's2/session/a.0'));
  });

  it('reads plaintext, AUTH_STATE_KEY (v1) values and previous keys; names an unknown key', () => {
    const old = hex();
    const next = hex();
    const oldBox = new SecretBox(loadKeyring({ masterKey: old }, dir));
    const rotated = new SecretBox(loadKeyring({ masterKey: next, previousKeys: old }, dir));
    assert.equal(rotated.open('{"plain":true}', 'x'), '{"plain":true}');
    assert.equal(rotated.open(sealV1(old, 'v1 value', 'x'), 'x'), 'v1 value');
    const sealedOld = oldBox.seal('v', 'x');
    assert.equal(rotated.open(sealedOld, 'x'), 'v');
    assert.equal(rotated.isCurrent(sealedOld), false);
    const stranger = new SecretBox(loadKeyring({ masterKey: hex() }, dir));
    assert.throws(() => stranger.open(sealedOld, 'x'), UnknownKeyError);
  });

  it('accepts AUTH_STATE_KEY as the master key, base64 keys too', () => {
    const key = randomBytes(32);
    const box = new SecretBox(loadKeyring({ authStateKey: key.toString('base64') }, dir));
    assert.equal(box.currentKeyId, keyId(key));
    assert.throws(() => loadKeyring({ masterKey: 'abcd' }, dir), /MASTER_KEY must be 32 bytes/);
  });

  it('generates the key file once, 0600, and keeps reading it after an environment key replaces it', () => {
    const own = mkdtempSync(join(tmpdir(), 'secret-box-file-'));
    try {
      const first = loadKeyring({}, own);
      const file = join(own, 'master.key');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(first.source, 'file');
      assert.equal(loadKeyring({}, own).current.id, first.current.id);
      assert.equal(readFileSync(file, 'utf8').trim().length, 64);
      const env = loadKeyring({ masterKey: hex() }, own);
      assert.notEqual(env.current.id, first.current.id);
      assert.ok(env.byId.has(first.current.id));
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('derives a stable secret per purpose from the current master key', () => {
    const key = hex();
    const a = new SecretBox(loadKeyring({ masterKey: key }, dir));
    const b = new SecretBox(loadKeyring({ masterKey: key }, dir));
    const other = new SecretBox(loadKeyring({ masterKey: hex() }, dir));
    assert.equal(a.deriveKey('compat-connections-jwt').length, 32);
    assert.deepEqual(a.deriveKey('compat-connections-jwt'), b.deriveKey('compat-connections-jwt'));
    assert.notDeepEqual(a.deriveKey('compat-connections-jwt'), a.deriveKey('another purpose'));
    assert.notDeepEqual(a.deriveKey('compat-connections-jwt'), other.deriveKey('compat-connections-jwt'));
    assert.notDeepEqual(a.deriveKey('compat-connections-jwt'), Buffer.from(key, 'hex'));
  });
});
