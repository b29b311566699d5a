import { writeFile } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import { assertMediaKey, assertMediaPrefix, MediaObjectNotFoundError, type MediaStorage, type StoredObject } from '../media-storage';
import type { LocalFileCache } from './local-file-cache';

/**
 * Media bytes in the `media_object` table (bytea), shared by every replica on the database with
 * no other service to run. Each put or read holds one whole object in memory (objects are at
 * most MEDIA_MAX_BYTES); suited to a few GB of media in total — beyond that, or with many
 * replicas, prefer S3-compatible storage (docs/media-storage.md).
 */
export class PostgresMediaStorage implements MediaStorage {
  constructor(
    private readonly db: DataSource,
    private readonly cache: LocalFileCache,
  ) {}

  async put(key: string, data: Buffer): Promise<void> {
    assertMediaKey(key);
    await this.db.query(
      `INSERT INTO "media_object" ("key", "data", "size") VALUES ($1, $2, $3)
       ON CONFLICT ("key") DO UPDATE SET "data" = EXCLUDED."data", "size" = EXCLUDED."size", "created_at" = now()`,
      [key, data, data.length],
    );
    await this.cache.forget(key);
  }

  async read(key: string): Promise<Buffer> {
    assertMediaKey(key);
    const rows: { data: Buffer | Uint8Array }[] = await this.db.query(`SELECT "data" FROM "media_object" WHERE "key" = $1`, [key]);
    if (!rows.length) throw new MediaObjectNotFoundError(key);
    const data = rows[0].data;
    return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  async exists(key: string): Promise<boolean> {
    assertMediaKey(key);
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM "media_object" WHERE "key" = $1`, [key]);
    return rows.length > 0;
  }

  async localPath(key: string): Promise<string> {
    assertMediaKey(key);
    return this.cache.path(key, async (target) => writeFile(target, await this.read(key)));
  }

  async delete(key: string): Promise<void> {
    assertMediaKey(key);
    await this.db.query(`DELETE FROM "media_object" WHERE "key" = $1`, [key]);
    await this.cache.forget(key);
  }

  async list(prefix: string): Promise<StoredObject[]> {
    assertMediaPrefix(prefix);
    // The prefix has no LIKE wildcard but `_`; escape it.
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows: { key: string; size: string | number; created_at: Date | string }[] = await this.db.query(
      `SELECT "key", "size", "created_at" FROM "media_object" WHERE "key" LIKE $1 ORDER BY "key" COLLATE "C"`,
      [pattern],
    );
    return rows.map((r) => ({ key: r.key, size: Number(r.size), modifiedAt: new Date(r.created_at) }));
  }
}
