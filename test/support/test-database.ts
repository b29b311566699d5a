import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../../src/database/data-source';

/**
 * Test databases are copies of a template migrated once per run (see docs/testing.md):
 * - PostgreSQL (DATABASE_URL): `CREATE DATABASE x TEMPLATE <template>`, named by
 *   TEST_DATABASE_TEMPLATE;
 * - embedded PGlite: a copy of a migrated, cleanly closed PGlite data directory, named by
 *   TEST_PGLITE_TEMPLATE, into the app's `<DATA_DIR>/pglite`.
 * `npm test` (scripts/run-tests.mjs) builds both templates before the test processes start and
 * passes their names in the environment. A spec run on its own (`node --test build/…`) builds
 * them in its own process on first use and removes them when it exits.
 */

/** Environment variables naming the run's templates. */
export const TEMPLATE_ENV = { postgres: 'TEST_DATABASE_TEMPLATE', pglite: 'TEST_PGLITE_TEMPLATE' } as const;

export interface TestDatabase {
  /** postgres:// URL of this test's own database, or undefined for embedded PGlite. */
  url: string | undefined;
  kind: 'postgres' | 'pglite';
  /**
   * Gives a data dir its database before the app starts on it: for PGlite, a copy of the
   * template into `<dataDir>/pglite` unless one is there already (a restart keeps its data);
   * nothing for PostgreSQL, whose database is already a copy.
   */
  seed(dataDir: string): Promise<void>;
  drop(): Promise<void>;
}

/**
 * A database of its own for a test file (so files can run in parallel), with every migration
 * applied: on the server named by DATABASE_URL, or embedded PGlite when it is unset or when
 * `kind: 'pglite'` is asked for. `empty: true` gives a PostgreSQL database with no schema, for
 * tests of the migrations themselves.
 */
export async function createTestDatabase(kind: 'auto' | 'postgres' | 'pglite' = 'auto', opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (kind === 'pglite' || !serverUrl) return { url: undefined, kind: 'pglite', seed: seedEmbeddedDatabase, drop: async () => undefined };
  const name = `sb_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const template = opts.empty ? undefined : await postgresTemplate(serverUrl);
  await withAdmin(serverUrl, (c) => c.query(template ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`));
  return {
    url: databaseUrl(serverUrl, name),
    kind: 'postgres',
    seed: async () => undefined,
    drop: () => withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** Copies the migrated PGlite template into `<dataDir>/pglite` unless a database is there already. */
export async function seedEmbeddedDatabase(dataDir: string): Promise<void> {
  const target = join(dataDir, 'pglite');
  if (existsSync(target)) return;
  cpSync(await pgliteTemplate(), target, { recursive: true });
}

/** The database kinds a suite should run on: both when DATABASE_URL is set, PGlite otherwise. */
export function testDatabaseKinds(): ('postgres' | 'pglite')[] {
  return process.env.DATABASE_URL ? ['postgres', 'pglite'] : ['pglite'];
}

/** A TypeORM DataSource on a fresh copy of the template, without the app: for repository tests. */
export interface TestDataSource {
  dataSource: DataSource;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export async function openTestDataSource(kind: 'postgres' | 'pglite'): Promise<TestDataSource> {
  if (kind === 'postgres') {
    const database = await createTestDatabase('postgres');
    const dataSource = await new DataSource(dataSourceOptions(database.url!, { poolSize: 4, embedded: false })).initialize();
    return {
      dataSource,
      kind,
      close: async () => {
        await dataSource.destroy();
        await database.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sb-pglite-'));
  await seedEmbeddedDatabase(dir);
  const served = await serveEmbedded(join(dir, 'pglite'));
  const dataSource = await new DataSource(dataSourceOptions(served.url, { poolSize: 1, embedded: true })).initialize();
  return {
    dataSource,
    kind,
    close: async () => {
      await dataSource.destroy();
      await served.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- templates -------------------------------------------------------------------------

/** Builds the templates for a run; the returned env names them for the test processes. */
export async function createTemplates(): Promise<{ env: Record<string, string>; dispose(): Promise<void> }> {
  const env: Record<string, string> = {};
  const disposers: (() => Promise<void>)[] = [];
  const pglite = await buildPgliteTemplate();
  env[TEMPLATE_ENV.pglite] = pglite.path;
  disposers.push(pglite.dispose);
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const pg = await buildPostgresTemplate(serverUrl);
    env[TEMPLATE_ENV.postgres] = pg.name;
    disposers.push(pg.dispose);
  }
  return { env, dispose: async () => void (await Promise.all(disposers.map((d) => d()))) };
}

let localPglite: Promise<string> | undefined;
let localPostgres: Promise<string> | undefined;

function pgliteTemplate(): Promise<string> {
  const given = process.env[TEMPLATE_ENV.pglite];
  if (given) return Promise.resolve(given);
  localPglite ??= buildPgliteTemplate().then((t) => {
    process.once('exit', () => rmSync(t.root, { recursive: true, force: true }));
    return t.path;
  });
  return localPglite;
}

function postgresTemplate(serverUrl: string): Promise<string> {
  const given = process.env[TEMPLATE_ENV.postgres];
  if (given) return Promise.resolve(given);
  localPostgres ??= buildPostgresTemplate(serverUrl).then((t) => {
    // Dropped when the process has nothing left to do (an exit handler cannot wait for it).
    process.once('beforeExit', () => void t.dispose().catch(() => undefined));
    return t.name;
  });
  return localPostgres;
}

async function buildPgliteTemplate(): Promise<{ root: string; path: string; dispose(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'sb-pglite-template-'));
  const path = join(root, 'pglite');
  const served = await serveEmbedded(path);
  try {
    await migrate(served.url, true);
  } finally {
    await served.close();
  }
  return { root, path, dispose: async () => rmSync(root, { recursive: true, force: true }) };
}

async function buildPostgresTemplate(serverUrl: string): Promise<{ name: string; dispose(): Promise<void> }> {
  const name = `sb_template_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  // Copies are made while no one is connected to the template: migrate, then disconnect.
  await migrate(databaseUrl(serverUrl, name), false);
  return { name, dispose: () => withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}

async function migrate(url: string, embedded: boolean): Promise<void> {
  const dataSource = await new DataSource(dataSourceOptions(url, { poolSize: 1, embedded })).initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** PGlite on `dir`, served on a Unix socket in a private temporary directory, as the app does. */
async function serveEmbedded(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const socketDir = mkdtempSync(join(tmpdir(), 'sb-pg-'));
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db, path: join(socketDir, '.s.PGSQL.5432'), maxConnections: 4 });
  await server.start();
  return {
    url: `postgres://postgres@${encodeURIComponent(socketDir)}/postgres`,
    close: async () => {
      await server.stop();
      await db.close();
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
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
