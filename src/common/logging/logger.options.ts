import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../../config/app-config';
import { serializeError } from './error-serializer';
import { currentRequestContext } from './request-context';

/**
 * Paths pino censors at every level. Credentials, QR strings, pairing codes and message
 * bodies never reach the logs; payloads may be logged at debug only by explicit code.
 */
const SECRET_FIELDS = ['password', 'newPassword', 'currentPassword', 'token', 'accessToken', 'qr', 'qrCodeDataUrl', 'pairingCode', 'text', 'secret'];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.apikey',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  // At the top of a log line and one object down.
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
];

/** The process's one pino logger; Nest's logger and the request log write through it. */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const { level, pretty } = config.logging;
  const options = {
    level,
    // Every line names the replica; lines written while a request is handled carry its id.
    base: { pid: process.pid, hostname: hostname(), node: config.logging.node },
    mixin: requestIdMixin,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Database errors lose their parameters and row contents: see error-serializer.ts.
    serializers: { err: serializeError },
  };
  if (destination) return pino(options, destination);
  return pino({
    ...options,
    transport: pretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:standard' } } : undefined,
  });
}

/** `{requestId}` inside a request (see request-context.ts), nothing elsewhere. */
function requestIdMixin(): Record<string, unknown> {
  const context = currentRequestContext();
  return context ? { requestId: context.requestId } : {};
}
