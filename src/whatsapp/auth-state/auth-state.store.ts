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
/** Most queued writes (calls) committed in one transaction. */
const GROUP_LIMIT = 200;

/** A queued `write` or `clear` of one session. */
/** A replica's check, inside the write's transaction, that it still owns the session; throws when not. */
export type WriteFence = (tx: EntityManager) => Promise<void>;

interface AuthOp {
  sessionId: string;
  writes: AuthKeyWrite[];
  clear?: boolean;
  fence?: WriteFence;
}

/**
 * WhatsApp credentials in Postgres, one row per item, engine-agnostic (values are opaque
 * strings). Every `write` lands whole or not at all (in one transaction, shared with the
 * writes of other sessions that arrived meanwhile), and writes are idempotent upserts. Values are encrypted with the master key, bound
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
   * Applies all writes in one transaction and resolves once it committed. Writes of all
   * sessions that arrive while a commit is running go out together in the next transaction
   * (group commit): every encrypted send stores its Signal session, and one commit per send
   * was most of a send's time with many sessions. A group that fails is applied call by call,
   * so one bad write fails alone. `fence` runs first inside the transaction (the session's
   * lease check, docs/scaling.md): when it throws, this write is not applied.
   */
  write(sessionId: string, writes: AuthKeyWrite[], fence?: WriteFence): Promise<void> {
    if (!writes.length) return Promise.resolve();
    return this.enqueue({ sessionId, writes, fence });
  }

  async writeCreds(sessionId: string, value: string, fence?: WriteFence): Promise<void> {
    await this.write(sessionId, [{ type: CREDS_TYPE, id: CREDS_ID, value }], fence);
  }

  /** Deletes the session's credentials and every key: the next connect registers anew. */
  clear(sessionId: string): Promise<void> {
    // In line with the writes: one queued before it is gone after it, one queued after stays.
    return this.enqueue({ sessionId, writes: [], clear: true });
  }

  private enqueue(op: AuthOp): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.scheduled && !this.flushing) {
        this.scheduled = true;
        // The end of the turn: sends that finished together commit together.
        setImmediate(() => {
          this.scheduled = false;
          void this.pump();
        });
      }
    });
  }

  private readonly queue: { op: AuthOp; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;
  private flushing = false;

  private async pump(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length) {
        const group = this.queue.splice(0, GROUP_LIMIT);
        try {
          await this.apply(group.map((g) => g.op));
          for (const g of group) g.resolve();
        } catch (err) {
          if (group.length === 1) {
            group[0].reject(err);
            continue;
          }
          for (const g of group) {
            try {
              await this.apply([g.op]);
              g.resolve();
            } catch (e) {
              g.reject(e);
            }
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** One transaction for these operations, in their order (the last write of a key wins). */
  private async apply(ops: AuthOp[]): Promise<void> {
    const cleared = new Set<string>();
    const last = new Map<string, { sessionId: string; w: AuthKeyWrite }>();
    for (const op of ops) {
      if (op.clear) {
        cleared.add(op.sessionId);
        for (const [k, v] of last) if (v.sessionId === op.sessionId) last.delete(k);
        continue;
      }
      for (const w of op.writes) {
        const k = `${op.sessionId}\u0000${w.type}\u0000${w.id}`;
        last.delete(k);
        last.set(k, { sessionId: op.sessionId, w });
      }
    }
    const upserts = [...last.values()].filter((u) => u.w.value !== null);
    const deletes = [...last.values()].filter((u) => u.w.value === null);
    // One fence per session: a lost lease fails the group, which is then applied call by call.
    const fences = new Map<string, WriteFence>();
    for (const op of ops) if (op.fence && !fences.has(op.sessionId)) fences.set(op.sessionId, op.fence);
    // Encrypted before the transaction opens: its fences hold the sessions' lease rows until it
    // commits, and this replica's own lease renewal waits for them. A new link stores 812
    // pre-keys at once; sealed inside, several links on a busy CPU held the rows long enough
    // for the leases to lapse.
    const sealed = upserts.map(({ sessionId, w }) => [sessionId, w.type, w.id, this.cipher.seal(w.value!, address(sessionId, w.type, w.id))]);
    await this.db.transaction(async (tx) => {
      for (const fence of fences.values()) await fence(tx);
      if (cleared.size) await tx.query('DELETE FROM wa_auth_key WHERE session_id = ANY($1::text[])', [[...cleared]]);
      for (let i = 0; i < sealed.length; i += UPSERT_CHUNK) {
        const chunk = sealed.slice(i, i + UPSERT_CHUNK);
        const params = chunk.flat();
        const tuples = chunk.map((_, j) => `($${j * 4 + 1}, $${j * 4 + 2}, $${j * 4 + 3}, $${j * 4 + 4}, now())`);
        await tx.query(
          `INSERT INTO wa_auth_key (session_id, type, key_id, value, updated_at) VALUES ${tuples.join(', ')}
           ON CONFLICT (session_id, type, key_id) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
          params,
        );
      }
      if (deletes.length) {
        await tx.query(
          `DELETE FROM wa_auth_key k USING unnest($1::text[], $2::text[], $3::text[]) AS d(session_id, type, key_id)
            WHERE k.session_id = d.session_id AND k.type = d.type AND k.key_id = d.key_id`,
          [deletes.map((d) => d.sessionId), deletes.map((d) => d.w.type), deletes.map((d) => d.w.id)],
        );
      }
    });
  }

  async countKeys(sessionId: string): Promise<number> {
    const [row] = await this.db.query('SELECT count(*)::int AS n FROM wa_auth_key WHERE session_id = $1', [sessionId]);
    return row.n;
  }
}

function address(sessionId: string, type: string, id: string): string {
  return `${sessionId}/${type}/${id}`;
}
