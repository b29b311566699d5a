import { Client } from 'pg';

/**
 * The `pg` client for embedded PGlite: it runs every query as an unnamed statement.
 *
 * A named statement (`{ name, text, values }`) is parsed once per connection; the client
 * remembers which names it prepared. When such a statement fails at Bind on PGlite (a value
 * PostgreSQL refuses, like a NUL byte in text), the client and PGlite no longer agree: the client
 * parses the statement again on the next call, PGlite still holds it, and every later call fails
 * with "prepared statement … already exists"
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
