import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MIGRATION_LOCK } from '../database/data-source';
import type { SecretBox } from './secret-box';

/** A table whose secrets are encrypted with the master key; it re-encrypts its own rows. */
export interface EncryptedStore {
  name: string;
  /** Rewrites every value not sealed with the current key; returns how many. */
  reencrypt(): Promise<number>;
}

/**
 * Boot step: every value still in plaintext (written before encryption was the default) or
 * sealed with a previous key is rewritten with the current master key. Each store runs in
 * one transaction under the migration lock, so replicas booting together do it once; rows are
 * rewritten only if unchanged since read, so a concurrent write always wins. A value sealed
 * with a key this process does not know stops the boot with a message naming the key id.
 *
 * This is a boot step rather than a migration because migrations also run from the CLI,
 * which has no access to the key file in DATA_DIR.
 */
@Injectable()
export class AtRestEncryption implements OnApplicationBootstrap {
  private readonly logger = new Logger('AtRestEncryption');
  private readonly stores: EncryptedStore[] = [];

  register(store: EncryptedStore): void {
    this.stores.push(store);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reencryptAll();
  }

  async reencryptAll(): Promise<Record<string, number>> {
    const done: Record<string, number> = {};
    for (const store of this.stores) {
      done[store.name] = await store.reencrypt();
      if (done[store.name]) this.logger.log({ store: store.name, rows: done[store.name] }, 'Encrypted stored secrets with the current master key');
    }
    return done;
  }
}

/**
 * Runs `fn` in a transaction holding the migration lock (see `AtRestEncryption`).
 */
export async function underReencryptLock<T>(db: { transaction<R>(fn: (tx: EntityManager) => Promise<R>): Promise<R> }, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    return fn(tx);
  });
}

/**
 * Re-encrypts the rows of one text column, keyset-paged by `keys`, with compare-and-set.
 * `address` gives each row's authenticated address from its key columns.
 */
export async function reencryptColumn(
  tx: EntityManager,
  box: SecretBox,
  spec: { table: string; keys: string[]; column: string; where?: string; address: (row: Record<string, string>) => string },
  batch = 500,
): Promise<number> {
  const { table, keys, column } = spec;
  const keyList = keys.join(', ');
  let after: string[] | null = null;
  let total = 0;
  for (;;) {
    const params: unknown[] = [box.currentPrefix];
    let cursor = '';
    if (after) {
      cursor = ` AND (${keyList}) > (${keys.map((_, i) => `$${i + 2}`).join(', ')})`;
      params.push(...after);
    }
    const rows: Record<string, string>[] = await tx.query(
      `SELECT ${keyList}, ${column} AS value FROM ${table}
        WHERE ${column} IS NOT NULL AND left(${column}, length($1)) <> $1${spec.where ? ` AND ${spec.where}` : ''}${cursor}
        ORDER BY ${keyList} LIMIT ${batch}`,
      params,
    );
    if (!rows.length) return total;
    const update: unknown[] = [];
    const tuples = rows.map((row) => {
      const sealed = box.seal(box.open(row.value, spec.address(row)), spec.address(row));
      const base = update.length;
      update.push(...keys.map((k) => row[k]), row.value, sealed);
      return `(${[...keys, 'old', 'new'].map((_, i) => `$${base + i + 1}::text`).join(', ')})`;
    });
    await tx.query(
      `UPDATE ${table} AS t SET ${column} = v.new FROM (VALUES ${tuples.join(', ')}) AS v(${keyList}, old, new)
        WHERE ${keys.map((k) => `t.${k}::text = v.${k}`).join(' AND ')} AND t.${column} = v.old`,
      update,
    );
    total += rows.length;
    after = keys.map((k) => rows[rows.length - 1][k]);
  }
}
