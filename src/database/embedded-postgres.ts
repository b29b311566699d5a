import { mkdirSync } from 'node:fs';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';

type PGliteInstance = { close(): Promise<void> };
type SocketServer = { start(): Promise<void>; stop(): Promise<void>; getServerConn(): string };

/**
 * Embedded PostgreSQL (PGlite, Postgres compiled to WASM) served on a loopback port, so the
 * app talks to it through the same `pg` driver, SQL and migrations as a real server.
 * Used when DATABASE_URL is unset; data lives under DATA_DIR/pglite.
 */
@Injectable()
export class EmbeddedPostgres implements OnApplicationShutdown {
  private readonly logger = new Logger(EmbeddedPostgres.name);
  private db?: PGliteInstance;
  private server?: SocketServer;

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Starts PGlite on `dir` and returns a postgres:// URL for it. Idempotent. */
  async start(dir: string): Promise<string> {
    if (!this.server) {
      mkdirSync(dir, { recursive: true });
      // Both packages are ESM-only; Node >= 20.19 loads them through require().
      const { PGlite } = await import('@electric-sql/pglite');
      const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
      const db = await PGlite.create(dir);
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
      await server.start();
      this.db = db;
      this.server = server;
      this.logger.log(`Embedded PostgreSQL (PGlite) at ${dir}`);
    }
    return `postgres://postgres@${this.server.getServerConn()}/postgres`;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server) return;
    // The DataSource must close before the server it talks to; TypeORM's own shutdown hook
    // skips a DataSource that is already destroyed.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource?.isInitialized) await dataSource.destroy();
    await this.server.stop();
    await this.db?.close();
    this.server = undefined;
    this.db = undefined;
  }
}
