import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Level, Logger } from 'pino';

const LEVELS: Record<LogLevel, Level> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Nest's LoggerService on top of pino. Accepts Nest's calls (`log('text', 'Context')`,
 * `error('text', stack, 'Context')`) and pino's (`log({ sessionId }, 'text')`); the
 * context — the last string argument Nest appends — becomes the `context` field.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(nestLevel: LogLevel, message: unknown, params: unknown[]): void {
    const level = LEVELS[nestLevel];
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    // Nest appends the context last; `error()` may also pass `undefined` in the stack's place.
    if (rest.length && typeof rest[rest.length - 1] === 'string') fields.context = rest.pop();
    while (rest.length && rest[rest.length - 1] === undefined) rest.pop();
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, message.message, ...rest);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...message }, ...(rest as [string?]));
    } else if (nestLevel === 'error' && rest.length === 1 && typeof rest[0] === 'string' && rest[0].includes('\n    at ')) {
      // Nest's own `error(message, stack)` contract.
      this.pino.error({ ...fields, stack: rest[0] }, String(message));
    } else {
      this.pino[level](fields, String(message), ...rest);
    }
  }
}
