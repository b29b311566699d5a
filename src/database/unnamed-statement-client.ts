import { Client } from 'pg';

/**
 * The `pg` client for embedded PGlite: it runs every query as an unnamed statement.
 *
 * A named statement (`{ name, text, values }`) is parsed once per connection, and the client
 * remembers that from the server's ParseComplete. When such a statement's Bind fails (a value
 * PostgreSQL refuses, like a NUL byte in text), PGlite's socket server drops the ParseComplete
 * that preceded the error, while the statement stays prepared on its side: the client parses it
 * again on the next call, and every later call fails with "prepared statement … already exists"
 * until the process restarts. PGlite runs in this process, so preparing once saves little;
 * without names, a failed statement fails alone. PostgreSQL servers keep the named statements.
 */
export class UnnamedStatementClient extends Client {
  // pg's overloads (callback, promise, submittable) all take the config first.
  override query(...args: unknown[]): never {
    const [config] = args;
    if (config && typeof config === 'object' && 'name' in config && typeof (config as { submit?: unknown }).submit !== 'function') {
      const { name: _name, ...unnamed } = config as { name?: string };
      args[0] = unnamed;
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}
