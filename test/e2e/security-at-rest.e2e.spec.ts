import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from '../support/node-test';
import { AuthStateStore } from '../../src/whatsapp/auth-state/auth-state.store';
import { keyId } from '../../src/crypto/master-key';
import { WebhooksRepository } from '../../src/webhooks/webhooks.repository';
import { api } from '../support/http';
import { startServerProcess } from '../support/server-process';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database';

const CREDS = '{"noiseKey":"very-secret-material"}';
const WEBHOOK_SECRET = 'whsec_stored-encrypted-0123456789';
const hex = () => randomBytes(32).toString('hex');
const idOf = (key: string) => keyId(Buffer.from(key, 'hex'));

for (const kind of testDatabaseKinds()) describe(`Security: secrets at rest (${kind})`, () => {
  let t: TestApp | undefined;
  let database: TestDatabase;
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-at-rest-'));

  after(async () => {
    await t?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function restart(env: Record<string, string | undefined> = {}): Promise<TestApp> {
    await t?.close();
    t = await startTestApp({ database, dataDir, env });
    return t;
  }

  /** Key ids of every stored secret: wa_auth_key values and the secret settings. */
  async function storedKeyIds(app: TestApp): Promise<string[]> {
    const rows: { value: string }[] = await app.dataSource.query(
      `SELECT value FROM wa_auth_key UNION ALL SELECT value FROM setting WHERE key IN ('auth.jwtSecret', 'cloudApi.mediaUrlKey')
       UNION ALL SELECT secret FROM webhook`,
    );
    return [...new Set(rows.map((r) => (/^enc:v2:([^:]+):/.exec(r.value)?.[1] ?? 'plaintext')))].sort();
  }

  it('encrypts by default with a generated 0600 key file, and encrypts rows written in plaintext before', async () => {
    database = await createTestDatabase(kind);
    let app = await restart();
    const keyFile = join(dataDir, 'master.key');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const fileKey = readFileSync(keyFile, 'utf8').trim();
    const sessionId = (await api(app).post('/api/sessions').send({}).expect(201)).body.session.sessionId;
    await app.app.get(AuthStateStore).write(sessionId, [{ type: 'pre-key', id: '1', value: CREDS }]);
    const jwt = (await api(app).get('/api/auth/token').expect(200)).body.token;
    const webhook = (await api(app).post('/api/webhooks').send({ url: 'https://example.com/hook', secret: WEBHOOK_SECRET, sessionId }).expect(201)).body.webhook;
    assert.deepEqual(await storedKeyIds(app), [idOf(fileKey)]);
    const dump = JSON.stringify([
      await app.dataSource.query('SELECT * FROM wa_auth_key'),
      await app.dataSource.query('SELECT * FROM setting'),
      await app.dataSource.query('SELECT * FROM webhook'),
    ]);
    assert.ok(!dump.includes('very-secret-material') && !dump.includes(WEBHOOK_SECRET));

    // What an older version left: plaintext credentials and JWT secret.
    const jwtSecret = 'x'.repeat(64);
    await app.dataSource.query(`UPDATE wa_auth_key SET value = $1 WHERE session_id = $2`, [CREDS, sessionId]);
    await app.dataSource.query(`UPDATE setting SET value = $1 WHERE key = 'auth.jwtSecret'`, [jwtSecret]);
    await app.dataSource.query(`UPDATE webhook SET secret = $1 WHERE id = $2`, [WEBHOOK_SECRET, webhook.id]);
    app = await restart();
    assert.deepEqual(await storedKeyIds(app), [idOf(fileKey)]);
    assert.equal((await app.app.get(AuthStateStore).read(sessionId, 'pre-key', ['1'])).get('1'), CREDS);
    assert.equal((await app.app.get(WebhooksRepository).findById(webhook.id))?.secret, WEBHOOK_SECRET);
    // Same secret after encryption: a JWT signed with the plaintext one still verifies.
    const { JwtService } = await import('@nestjs/jwt');
    const legacyJwt = new JwtService({}).sign({ sub: 'admin', role: 'admin', ver: 0 }, { secret: jwtSecret, algorithm: 'HS256', expiresIn: 60 });
    await api(app, legacyJwt).get('/api/sessions').expect(200);
    await api(app, jwt).get('/api/sessions').expect(401);
  });

  it('rotates: a new key with the previous one re-encrypts everything at boot; an unknown key stops the boot', async () => {
    const fileKey = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
    const next = hex();
    // The key file is read as a previous key once MASTER_KEY replaces it; AUTH_STATE_KEY keeps working too.
    let app = await restart({ MASTER_KEY: next });
    assert.deepEqual(await storedKeyIds(app), [idOf(next)]);
    const newer = hex();
    app = await restart({ MASTER_KEY: newer, MASTER_KEY_PREVIOUS: `${hex()},${next}` });
    assert.deepEqual(await storedKeyIds(app), [idOf(newer)]);
    const sessionId = (await app.dataSource.query('SELECT session_id FROM wa_auth_key LIMIT 1'))[0].session_id;
    app = await restart({ AUTH_STATE_KEY: newer });
    assert.equal((await app.app.get(AuthStateStore).read(sessionId, 'pre-key', ['1'])).get('1'), CREDS);
    await t!.close();
    t = undefined;
    // A replica with another key (e.g. its own key file) must not start and write under it.
    rmSync(join(dataDir, 'master.key'));
    const env = { DATABASE_URL: database.url, DATA_DIR: dataDir, API_KEY: TEST_API_KEY, WA_ENGINE: 'sandbox' };
    await assert.rejects(startServerProcess(env), new RegExp(`exited early \\(1\\)[^]*master key ${idOf(newer)}`));
    assert.notEqual(fileKey, newer);
  });
});
