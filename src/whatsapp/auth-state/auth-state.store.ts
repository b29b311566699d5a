import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AtRestEncryption, reencryptColumn, underReencryptLock } from '../../crypto/at-rest-encryption';
import { SecretBox } from '../../crypto/secret-box';

export interface AuthKeyWrite {
  type: string;
  id: string;
  /** Serialized value; `null` deletes the key. */
  value: string | null;
}

export const CREDS_TYPE = 'creds';
export const CREDS_ID = 'creds';
const UPSERT_CHUNK = 400;

/**
 * WhatsApp credentials in Postgres, one row per item, engine-agnostic (values are opaque
 * strings). Every `write` is one transaction, so a batch of Signal keys lands whole or not
 * at all, and writes are idempotent upserts. Values are encrypted with the master key, bound
 * to their row (`<session>/<type>/<id>`).
 */
@Injectable()
export class AuthStateStore {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cipher: SecretBox,
    encryption: AtRestEncryption,
  ) {
    encryption.register({ name: 'wa_auth_key', reencrypt: () => this.reencrypt() });
  }

  /** Rewrites rows in plaintext or under a previous key with the current key (boot step). */
  reencrypt(): Promise<number> {
    return underReencryptLock(this.db, (tx) =>
      reencryptColumn(tx, this.cipher, {
        table: 'wa_auth_key',
        keys: ['session_id', 'type', 'key_id'],
        column: 'value',
        address: (row) => address(row.session_id, row.type, row.key_id),
      }),
    );
  }

  async read(sessionId: string, type: string, ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!ids.length) return out;
    const rows: { key_id: string; value: string }[] = await this.db.query(
      'SELECT key_id, value FROM wa_auth_key WHERE session_id = $1 AND type = $2 AND key_id = ANY($3::text[])',
      [sessionId, type, ids],
    );
    for (const row of rows) out.set(row.key_id, this.cipher.open(row.value, address(sessionId, type, row.key_id)));
    return out;
  }

  async readCreds(sessionId: string): Promise<string | null> {
    return (await this.read(sessionId, CREDS_TYPE, [CREDS_ID])).get(CREDS_ID) ?? null;
  }

  async hasCreds(sessionId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      'SELECT 1 FROM wa_auth_key WHERE session_id = $1 AND type = $2 AND key_id = $3',
      [sessionId, CREDS_TYPE, CREDS_ID],
    );
    return rows.length > 0;
  }

  /**
   * Applies all writes in one transaction. `fence` runs first inside it (a replica's check
   * that it still owns the session); when it throws nothing is written.
   */
  async write(sessionId: string, writes: AuthKeyWrite[], fence?: (tx: EntityManager) => Promise<void>): Promise<void> {
    if (!writes.length) return;
    const upserts = writes.filter((w) => w.value !== null);
    const deletes = writes.filter((w) => w.value === null);
    await this.db.transaction(async (tx) => {
      if (fence) await fence(tx);
      for (let i = 0; i < upserts.length; i += UPSERT_CHUNK) {
        const chunk = upserts.slice(i, i + UPSERT_CHUNK);
        const params: string[] = [sessionId];
        const tuples = chunk.map((w) => {
          params.push(w.type, w.id, this.cipher.seal(w.value!, address(sessionId, w.type, w.id)));
          const n = params.length;
          return `($1, $${n - 2}, $${n - 1}, $${n}, now())`;
        });
        await tx.query(
          `INSERT INTO wa_auth_key (session_id, type, key_id, value, updated_at) VALUES ${tuples.join(', ')}
           ON CONFLICT (session_id, type, key_id) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
          params,
        );
      }
      const byType = new Map<string, string[]>();
      for (const d of deletes) byType.set(d.type, [...(byType.get(d.type) ?? []), d.id]);
      for (const [type, ids] of byType) {
        await tx.query('DELETE FROM wa_auth_key WHERE session_id = $1 AND type = $2 AND key_id = ANY($3::text[])', [
          sessionId,
          type,
          ids,
        ]);
      }
    });
  }

  async writeCreds(sessionId: string, value: string, fence?: (tx: EntityManager) => Promise<void>): Promise<void> {
    await this.write(sessionId, [{ type: CREDS_TYPE, id: CREDS_ID, value }], fence);
  }

  /** Deletes the session's credentials and every key: the next connect registers anew. */
  async clear(sessionId: string): Promise<void> {
    await this.db.query('DELETE FROM wa_auth_key WHERE session_id = $1', [sessionId]);
  }

  async countKeys(sessionId: string): Promise<number> {
    const [row] = await this.db.query('SELECT count(*)::int AS n FROM wa_auth_key WHERE session_id = $1', [sessionId]);
    return row.n;
  }
}

function address(sessionId: string, type: string, id: string): string {
  return `${sessionId}/${type}/${id}`;
}
