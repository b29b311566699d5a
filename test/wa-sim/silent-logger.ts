/**
 * A no-op implementation of Baileys' `ILogger` (`lib/Utils/logger.d.ts`), used for the
 * Baileys helpers the simulator itself calls (Signal repository, transactions) and
 * handy for tests that drive real Baileys sockets quietly.
 */
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger';

const noop = () => undefined;

export const SILENT_LOGGER: ILogger = {
  level: 'silent',
  child: () => SILENT_LOGGER,
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
};
