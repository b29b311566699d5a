import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { phoneNumberIdOf } from '../../src/common/utils/graph-ids';
import { AtRestEncryption } from '../../src/crypto/at-rest-encryption';
import { installColumnSecretBox } from '../../src/crypto/encrypted-column';
import { loadKeyring } from '../../src/crypto/master-key';
import { SecretBox } from '../../src/crypto/secret-box';
import { SessionEntity } from '../../src/sessions/entities/session.entity';
import { SessionStore } from '../../src/sessions/session-store';
import { after, before, describe, it } from '../support/node-test';
import { openTestDataSource, testDatabaseKinds, type TestDataSource } from '../support/test-database';

/**
 * The QR / pairing code a session's owner publishes for the other replicas, on a real database:
 * sealed at rest, replaced on rotation, withdrawn only by its publisher, ignored once expired,
 * re-encrypted when the master key is rotated.
 */
for (const kind of testDatabaseKinds()) {
  describe(`published link codes (${kind})`, () => {
    let db: TestDataSource;
    let store: SessionStore;
    const keyDir = mkdtempSync(join(tmpdir(), 'sb-keys-'));
    const firstKey = randomBytes(32).toString('hex');

    /** A store as a process with this keyring builds it, and the boot step it registers with. */
    function storeWith(box: SecretBox): { store: SessionStore; encryption: AtRestEncryption } {
      installColumnSecretBox(box);
      const encryption = new AtRestEncryption();
      const resolver = { forget: () => undefined };
      const bus = { emit: () => undefined };
      return { store: new SessionStore(db.dataSource.getRepository(SessionEntity), resolver as never, bus as never, box, encryption), encryption };
    }

    before(async () => {
      db = await openTestDataSource(kind);
      ({ store } = storeWith(new SecretBox(loadKeyring({ masterKey: firstKey }, keyDir))));
    });
    after(async () => {
      await db?.close();
      rmSync(keyDir, { recursive: true, force: true });
    });

    async function session(): Promise<string> {
      const id = `qr_${Date.now()}_${randomBytes(4).toString('hex')}`;
      await db.dataSource.query(`INSERT INTO session (id, method, engine, status, phone_number_id) VALUES ($1, 'qr', 'baileys', 'REGISTERING', $2)`, [id, phoneNumberIdOf(id)]);
      return id;
    }

    it('publishes the latest QR sealed; any reader opens it with the shared master key', async () => {
      const id = await session();
      assert.equal(await store.sharedLinkCode(id), null, 'nothing published yet');
      store.queueLinkCode(id, 'node-a', { qr: '2@first-ref,key,key,adv' });
      store.queueLinkCode(id, 'node-a', { qr: '2@second-ref,key,key,adv' });
      await store.flush(id);
      assert.deepEqual(await store.sharedLinkCode(id), { node: 'node-a', qr: '2@second-ref,key,key,adv', pairingCode: null });
      const [raw] = await db.dataSource.query(`SELECT qr FROM session_link_code WHERE session_id = $1`, [id]);
      assert.ok(!String(raw.qr).includes('second-ref'), 'the QR is not stored in clear');
      // A sealed value is bound to its session: copied onto another session's row it does not open.
      const other = await session();
      await db.dataSource.query(
        `INSERT INTO session_link_code (session_id, node, qr, expires_at) VALUES ($1, 'node-a', $2, now() + interval '1 minute')`,
        [other, raw.qr],
      );
      assert.equal(await store.sharedLinkCode(other), null);
    });

    it('keeps the QR when the same publisher adds a pairing code; a new publisher replaces both', async () => {
      const id = await session();
      store.queueLinkCode(id, 'node-a', { qr: '2@ref' });
      store.queueLinkCode(id, 'node-a', { pairingCode: 'ABCD1234' });
      await store.flush(id);
      assert.deepEqual(await store.sharedLinkCode(id), { node: 'node-a', qr: '2@ref', pairingCode: 'ABCD1234' });
      store.queueLinkCode(id, 'node-b', { qr: '2@ref-b' });
      await store.flush(id);
      assert.deepEqual(await store.sharedLinkCode(id), { node: 'node-b', qr: '2@ref-b', pairingCode: null });
    });

    it('is withdrawn only by its publisher', async () => {
      const id = await session();
      store.queueLinkCode(id, 'node-b', { qr: '2@ref-b' });
      store.queueLinkCodeCleared(id, 'node-a');
      await store.flush(id);
      assert.equal((await store.sharedLinkCode(id))?.qr, '2@ref-b', 'a former owner clearing late leaves the new QR');
      store.queueLinkCodeCleared(id, 'node-b');
      await store.flush(id);
      assert.equal(await store.sharedLinkCode(id), null);
    });

    it('is not answered once expired (a publisher that died while linking)', async () => {
      const id = await session();
      store.queueLinkCode(id, 'node-a', { qr: '2@ref' });
      await store.flush(id);
      await db.dataSource.query(`UPDATE session_link_code SET expires_at = now() - interval '1 second' WHERE session_id = $1`, [id]);
      assert.equal(await store.sharedLinkCode(id), null);
    });

    it('is re-encrypted with a new master key at boot, and stays readable without the old one', async () => {
      const id = await session();
      store.queueLinkCode(id, 'node-a', { qr: '2@rotated-ref' });
      store.queueLinkCode(id, 'node-a', { pairingCode: 'ROTA1234' });
      await store.flush(id);
      const [before] = await db.dataSource.query(`SELECT qr, pairing_code FROM session_link_code WHERE session_id = $1`, [id]);

      // A new MASTER_KEY, the old one kept as previous: the boot step rewrites the row.
      const newKey = randomBytes(32).toString('hex');
      const rotated = new SecretBox(loadKeyring({ masterKey: newKey, previousKeys: firstKey }, keyDir));
      const { store: rotatedStore, encryption } = storeWith(rotated);
      const done = await encryption.reencryptAll();
      assert.ok(done.session_link_code >= 1, `rewritten: ${JSON.stringify(done)}`);
      const [after] = await db.dataSource.query(`SELECT qr, pairing_code FROM session_link_code WHERE session_id = $1`, [id]);
      assert.notEqual(after.qr, before.qr);
      assert.ok(String(after.qr).startsWith(rotated.currentPrefix), 'the QR is sealed with the new key');
      assert.ok(String(after.pairing_code).startsWith(rotated.currentPrefix), 'the pairing code is sealed with the new key');
      assert.deepEqual(await rotatedStore.sharedLinkCode(id), { node: 'node-a', qr: '2@rotated-ref', pairingCode: 'ROTA1234' });
      assert.equal((await encryption.reencryptAll()).session_link_code, 0, 'nothing left under the old key');
      // The copy bound to another session (first test) cannot be opened: withdrawn, not a failed boot.
      const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM session_link_code WHERE expires_at > now() AND left(qr, length($1)) <> $1`, [rotated.currentPrefix]);
      assert.equal(count, 0);

      // The old key retired: the QR is still readable (another replica with only the new key).
      const { store: newOnly } = storeWith(new SecretBox(loadKeyring({ masterKey: newKey }, keyDir)));
      assert.deepEqual(await newOnly.sharedLinkCode(id), { node: 'node-a', qr: '2@rotated-ref', pairingCode: 'ROTA1234' });
    });
  });
}
