import assert from 'node:assert/strict';
import { ApiTokenEntity } from '../../src/auth/entities/api-token.entity';
import { TokensService } from '../../src/auth/tokens.service';
import { AppConfig } from '../../src/config/app-config';
import { openTestDataSource, testDatabaseKinds, type TestDataSource } from '../support/test-database';
import { after, before, describe, it } from '../support/node-test';

const API_KEY = 'store-test-api-key-0123456789abcdef';

/** API tokens on a real database, without the app: only a hash is stored, and revoked or expired tokens stop at once. */
for (const kind of testDatabaseKinds()) describe(`TokensService: the API token store (${kind})`, () => {
  let db: TestDataSource;
  let tokens: TokensService;

  before(async () => {
    db = await openTestDataSource(kind);
    tokens = new TokensService(db.dataSource.getRepository(ApiTokenEntity), new AppConfig({ NODE_ENV: 'test', API_KEY }));
  });
  after(async () => db?.close());

  it('keeps only a hash and a short prefix of the secret, and authenticates by it', async () => {
    const { entity, token } = await tokens.create({ name: 'crm', role: 'api' });
    const rows = await db.dataSource.query(`SELECT * FROM api_token WHERE id = $1`, [entity.id]);
    assert.ok(!JSON.stringify(rows).includes(token), 'the secret is not stored');
    assert.equal(rows[0].token_prefix, token.slice(0, 10));
    const principal = await tokens.authenticate(token);
    assert.deepEqual([principal?.kind, principal?.isAdmin, principal?.tokenId], ['token', false, entity.id]);
    assert.equal(await tokens.authenticate(`${token}x`), null);
    assert.ok((await db.dataSource.query(`SELECT last_used_at FROM api_token WHERE id = $1`, [entity.id]))[0].last_used_at, 'use is recorded');
  });

  it('stops a revoked token at once, even while it is in the verified cache', async () => {
    const { entity, token } = await tokens.create({ name: 'short-lived', role: 'admin' });
    assert.equal((await tokens.authenticate(token))?.isAdmin, true);
    assert.equal(await tokens.isLiveAdmin(entity.id), true);
    let changes = 0;
    tokens.onChange(() => changes++);
    await tokens.revoke(entity.id);
    await tokens.revoke(entity.id);
    assert.equal(await tokens.authenticate(token), null);
    assert.equal(await tokens.isLiveAdmin(entity.id), false);
    assert.equal(changes, 2);
    assert.ok(!(await tokens.list()).some((t) => t.id === entity.id), 'revoked tokens are not listed');
    await assert.rejects(tokens.revoke('00000000-0000-4000-8000-000000000000'), { code: 'TOKEN_NOT_FOUND' });
  });

  it('refuses an expired token, and never makes a bound row an admin', async () => {
    const expired = await tokens.create({ name: 'old', role: 'api', expiresInSeconds: 60 });
    await db.dataSource.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.entity.id]);
    assert.equal(await tokens.authenticate(expired.token), null);

    const bound = await tokens.create({ name: 'sales', role: 'api', workspace: 'Sales' });
    const principal = await tokens.authenticate(bound.token);
    assert.deepEqual([principal?.isAdmin, principal?.workspace], [false, 'Sales']);
    await assert.rejects(tokens.create({ name: 'x', role: 'admin', workspace: 'Sales' }));
  });

  it('knows the static API key without a row, and nothing else', async () => {
    assert.equal((await tokens.authenticateCredential(API_KEY))?.isAdmin, true);
    assert.equal(await tokens.authenticateCredential('not-a-key'), null);
    assert.equal(await tokens.isLiveAdmin('not-a-uuid'), false);
  });
});
