import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ensurePrivateDir } from '../common/fs/private-dir';

/** `pg` connects to `<host dir>/.s.PGSQL.<port>` when the host is a directory. */
const SOCKET_PORT = 5432;
const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`;
/** Unix socket paths are limited to about 107 bytes. */
const MAX_SOCKET_PATH = 100;

type PGliteInstance = { close(): Promise<void> };
type SocketServer = { start(): Promise<void>; stop(): Promise<void>; getServerConn(): string };

/**
 * Embedded PostgreSQL (PGlite, Postgres compiled to WASM) served on a Unix socket, so the app
 * talks to it through the same `pg` driver, SQL and migrations as a real server. PGlite has
 * no authentication, so no TCP port is opened: the socket lives in a 0700 directory
 * (DATA_DIR/pglite.sock, or a private temporary directory when that path is too long for a
 * socket) and is itself 0600, so only the server's user can connect.
 * Used when DATABASE_URL is unset; data lives under DATA_DIR/pglite.
 */
@Injectable()
export class EmbeddedPostgres implements OnApplicationShutdown {
  private readonly logger = new Logger(EmbeddedPostgres.name);
  private db?: PGliteInstance;
  private server?: SocketServer;
  private socketDir?: { path: string; temporary: boolean };

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Starts PGlite on `dir` and returns a postgres:// URL for its socket. Idempotent. */
  async start(dir: string): Promise<string> {
    if (!this.server) {
      ensurePrivateDir(dir);
      const socketDir = this.chooseSocketDir(`${dir}.sock`);
      const socketPath = join(socketDir.path, SOCKET_NAME);
      // A socket file left by a crash would make listen() fail; PGlite is single-process anyway.
      rmSync(socketPath, { force: true });
      // Both packages are ESM-only; Node >= 20.19 loads them through require().
      const { PGlite } = await import('@electric-sql/pglite');
      const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
      const db = await PGlite.create(dir);
      const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 4 });
      await server.start();
      chmodSync(socketPath, 0o600);
      this.db = db;
      this.server = server;
      this.socketDir = socketDir;
      this.logger.log(`Embedded PostgreSQL (PGlite) at ${dir}, socket ${socketPath}`);
    }
    return `postgres://postgres@${encodeURIComponent(this.socketDir!.path)}/postgres`;
  }

  /** The socket's directory: next to the data, or a private temporary one when that path is too long. */
  private chooseSocketDir(preferred: string): { path: string; temporary: boolean } {
    if (join(preferred, SOCKET_NAME).length <= MAX_SOCKET_PATH) {
      ensurePrivateDir(preferred);
      return { path: preferred, temporary: false };
    }
    // mkdtemp creates the directory 0700.
    return { path: mkdtempSync(join(tmpdir(), 'switchboard-pg-')), temporary: true };
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server) return;
    // The DataSource must close before the server it talks to; TypeORM's own shutdown hook
    // skips a DataSource that is already destroyed.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource?.isInitialized) await dataSource.destroy();
    await this.server.stop();
    await this.db?.close();
    if (this.socketDir) rmSync(this.socketDir.temporary ? this.socketDir.path : join(this.socketDir.path, SOCKET_NAME), { recursive: true, force: true });
    this.server = undefined;
    this.db = undefined;
    this.socketDir = undefined;
  }
}
