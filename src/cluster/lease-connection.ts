import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { rowsOf } from '../database/sql';

/** What this needs of the data source's options (TypeORM's PostgreSQL options). */
interface PostgresOptions {
  url?: string;
  ssl?: unknown;
  extra?: { max?: number };
}

/** How long a heartbeat or renewal may take on the dedicated connection before it is dropped. */
const QUERY_TIMEOUT_MS = 10_000;

/**
 * The connection a replica heartbeats and renews its leases on. On PostgreSQL it is a
 * connection of its own, outside the pool: a replica whose pool is busy (hundreds of sessions
 * writing Signal keys, a burst of sends) still renews on time instead of waiting for a pooled
 * connection while its leases run out. It is opened on first use, and dropped and opened again
 * after any error, so a database restart costs one failed round. Embedded PGlite has a single
 * connection, so there it goes through the pool.
 */
export class LeaseConnection {
  private readonly logger = new Logger(LeaseConnection.name);
  private client: Promise<Client> | null = null;
  private closed = false;

  constructor(private readonly db: DataSource) {}

  /** Whether it runs on a connection of its own (false on embedded PGlite: one connection). */
  get dedicated(): boolean {
    const options = this.db.options as unknown as PostgresOptions;
    return Boolean(options.url) && (options.extra?.max ?? 10) > 1;
  }

  /** Rows of the statement (an UPDATE … RETURNING answers its rows, as a SELECT does). */
  async query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    if (!this.dedicated || this.closed) return rowsOf(await this.db.query(sql, params));
    const pending = (this.client ??= this.open());
    try {
      const client = await pending;
      return (await client.query(sql, params)).rows as Record<string, unknown>[];
    } catch (err) {
      // Whatever failed (connect, timeout, a dropped socket), the next call starts afresh.
      if (this.client === pending) this.client = null;
      void pending.then((c) => c.end()).catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.client;
    this.client = null;
    if (pending) await pending.then((c) => c.end()).catch(() => undefined);
  }

  private async open(): Promise<Client> {
    const options = this.db.options as unknown as PostgresOptions;
    const client = new Client({
      connectionString: options.url,
      ssl: options.ssl as never,
      application_name: 'switchboard-lease',
      connectionTimeoutMillis: QUERY_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    });
    // A connection that breaks between rounds reports here; the next round opens another.
    client.on('error', (err) => {
      this.logger.warn({ err: err.message }, 'The lease connection failed; the next round opens another');
      void this.forget(client);
    });
    await client.connect();
    return client;
  }

  private async forget(client: Client): Promise<void> {
    const pending = this.client;
    if (pending && (await pending.catch(() => null)) === client) {
      if (this.client === pending) this.client = null;
    }
    await client.end().catch(() => undefined);
  }
}
