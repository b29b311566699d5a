import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  /** postgres:// URL of a fresh database, or undefined for embedded PGlite. */
  url: string | undefined;
  kind: 'postgres' | 'pglite';
  drop(): Promise<void>;
}

/**
 * A fresh, empty database per test file: a new database on the server named by
 * DATABASE_URL (so files can run in parallel), or embedded PGlite when it is unset or when
 * `kind: 'pglite'` is asked for.
 */
export async function createTestDatabase(kind: 'auto' | 'postgres' | 'pglite' = 'auto'): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (kind === 'pglite' || !serverUrl) return { url: undefined, kind: 'pglite', drop: async () => undefined };
  const name = `sb_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: 'postgres',
    drop: () => withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(serverUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The database kinds a suite should run on: both when DATABASE_URL is set, PGlite otherwise. */
export function testDatabaseKinds(): ('postgres' | 'pglite')[] {
  return process.env.DATABASE_URL ? ['postgres', 'pglite'] : ['pglite'];
}
