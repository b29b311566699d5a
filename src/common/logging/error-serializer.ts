/**
 * pino's `err` serializer, safe for database errors. A failed query's error carries the SQL
 * parameters (`parameters`), Postgres's row dump (`detail`: "Failing row contains (...)",
 * "Key (token_hash)=(...)") and the driver error again (`driverError`); any of them may hold
 * webhook secrets, token hashes or message texts. Those never reach the log: a database error
 * is logged as its SQLSTATE `code`, the `operation` (statement kind and table, from the SQL
 * text, never its parameters), and the table/column/constraint names Postgres reports.
 */

/** Keys of an error object that may carry row contents or parameters. */
const DROPPED_KEYS = new Set(['query', 'parameters', 'driverError', 'detail', 'where', 'hint', 'internalQuery', 'internalPosition', 'position', 'file', 'line', 'length', 'raw']);
/** Postgres error fields worth keeping (identifiers only, never values). */
const DB_KEYS = ['code', 'severity', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine'] as const;
const MAX_DEPTH = 5;

type ErrorLike = Error & Record<string, unknown>;

function isErrorLike(value: unknown): value is ErrorLike {
  return value instanceof Error || (typeof value === 'object' && value !== null && typeof (value as Error).message === 'string' && typeof (value as Error).stack === 'string');
}

/** A Postgres error (from `pg`/PGlite directly or wrapped by TypeORM's QueryFailedError). */
export function isDatabaseError(err: ErrorLike): boolean {
  return typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) && ('severity' in err || 'query' in err || 'driverError' in err);
}

/**
 * Postgres puts the offending value into the message of data exceptions (class 22:
 * `invalid input syntax for type uuid: "…"`, `value "…" is out of range …`); those quoted
 * values are replaced. Other classes quote identifiers only.
 */
export function safeDatabaseMessage(message: string, code?: string): string {
  if (code && !code.startsWith('22')) return message;
  return message.replace(/"(?:[^"]|"")*"/g, '"[redacted]"');
}

/** `INSERT webhook`, `UPDATE api_token`, `SELECT message`…: what a statement did, without values. */
export function operationOf(sql: unknown): string | undefined {
  if (typeof sql !== 'string') return undefined;
  const text = sql.replace(/\s+/g, ' ').trim();
  const verb = /^(\w+)/.exec(text)?.[1]?.toUpperCase();
  if (!verb) return undefined;
  const target =
    /^(?:INSERT INTO|UPDATE|DELETE FROM)\s+("?[\w.]+"?)/i.exec(text)?.[1] ??
    /\bFROM\s+("?[\w.]+"?)/i.exec(text)?.[1] ??
    /^(?:ALTER|CREATE|DROP)\s+\w+\s+(?:IF (?:NOT )?EXISTS\s+)?("?[\w.]+"?)/i.exec(text)?.[1];
  return target ? `${verb} ${target.replace(/"/g, '')}` : verb;
}

function serialize(err: ErrorLike, depth: number): Record<string, unknown> {
  const db = isDatabaseError(err);
  const message = db ? safeDatabaseMessage(err.message, err.code as string) : err.message;
  const out: Record<string, unknown> = {
    type: err.constructor?.name && err.constructor.name !== 'Object' ? err.constructor.name : err.name,
    message,
    stack: typeof err.stack === 'string' && message !== err.message ? err.stack.split(err.message).join(message) : err.stack,
  };
  if (db) {
    for (const key of DB_KEYS) if (typeof err[key] === 'string') out[key] = err[key];
    const operation = operationOf(err.query);
    if (operation) out.operation = operation;
  }
  for (const key in err) {
    if (key in out || DROPPED_KEYS.has(key)) continue;
    const value = err[key];
    if (isErrorLike(value)) {
      if (depth < MAX_DEPTH) out[key] = serialize(value, depth + 1);
    } else if (!db || (typeof value !== 'object' && typeof value !== 'function')) {
      out[key] = value;
    }
  }
  const cause = err.cause;
  if (isErrorLike(cause) && !('cause' in out) && depth < MAX_DEPTH) out.cause = serialize(cause, depth + 1);
  return out;
}

/** The root logger's `err` serializer: any error, with database errors reduced as above. */
export function serializeError(value: unknown): unknown {
  return isErrorLike(value) ? serialize(value, 0) : value;
}
