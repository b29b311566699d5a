import { DataSource, MigrationExecutor, type DataSourceOptions } from 'typeorm';
import { Init1763800000000 } from '../../migrations/1763800000000-Init';
import { Messaging1763800001000 } from '../../migrations/1763800001000-Messaging';
import { Webhooks1763800002000 } from '../../migrations/1763800002000-Webhooks';
import { Workspaces1763800002500 } from '../../migrations/1763800002500-Workspaces';
import { CloudApi1763800003000 } from '../../migrations/1763800003000-CloudApi';
import { MessageWaProto1763800004000 } from '../../migrations/1763800004000-MessageWaProto';
import { EventOutbox1763800005000 } from '../../migrations/1763800005000-EventOutbox';
import { TokenScopeAndMediaUse1763800006000 } from '../../migrations/1763800006000-TokenScopeAndMediaUse';
import { WebhookTargetScope1763800008000 } from '../../migrations/1763800008000-WebhookTargetScope';
import { TokenProductApi1763800009000 } from '../../migrations/1763800009000-TokenProductApi';
import { MessageNumberAndOptInHold1763800009500 } from '../../migrations/1763800009500-MessageNumberAndOptInHold';
import { CompatConnections1763800010000 } from '../../migrations/1763800010000-CompatConnections';
import { CompatPhones1763800011000 } from '../../migrations/1763800011000-CompatPhones';
import { CompatGateway1763800012000 } from '../../migrations/1763800012000-CompatGateway';
import { CompatDevices1763800013000 } from '../../migrations/1763800013000-CompatDevices';
import { SessionPhoneNumberId1763800015000 } from '../../migrations/1763800015000-SessionPhoneNumberId';
import { MessageTemplateWorkspace1763800016000 } from '../../migrations/1763800016000-MessageTemplateWorkspace';
import { SessionLeases1763800020000 } from '../../migrations/1763800020000-SessionLeases';
import { MediaObjects1763800021000 } from '../../migrations/1763800021000-MediaObjects';
import { WebhookChatOrder1763800022000 } from '../../migrations/1763800022000-WebhookChatOrder';
import { SessionLinkCode1763800024000 } from '../../migrations/1763800024000-SessionLinkCode';
import { ClusterNodeUrl1763800024100 } from '../../migrations/1763800024100-ClusterNodeUrl';
import { DatabaseLogger, SLOW_QUERY_MS } from './database-logger';
import { ENTITIES } from './entities';
import { UnnamedStatementClient } from './unnamed-statement-client';

export const MIGRATIONS = [
  Init1763800000000,
  Messaging1763800001000,
  Webhooks1763800002000,
  Workspaces1763800002500,
  CloudApi1763800003000,
  MessageWaProto1763800004000,
  EventOutbox1763800005000,
  TokenScopeAndMediaUse1763800006000,
  WebhookTargetScope1763800008000,
  TokenProductApi1763800009000,
  MessageNumberAndOptInHold1763800009500,
  CompatConnections1763800010000,
  CompatPhones1763800011000,
  CompatGateway1763800012000,
  CompatDevices1763800013000,
  SessionPhoneNumberId1763800015000,
  MessageTemplateWorkspace1763800016000,
  SessionLeases1763800020000,
  MediaObjects1763800021000,
  WebhookChatOrder1763800022000,
  SessionLinkCode1763800024000,
  ClusterNodeUrl1763800024100,
];

/**
 * The one description of the database shared by Nest (`DatabaseModule`) and the migration
 * CLI (`migrate.ts`). Never `synchronize`: the schema changes only through `migrations/`.
 */
export function dataSourceOptions(url: string, opts: { poolSize: number; embedded: boolean }): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    // Failed and slow queries only, as code and operation: parameters and rows are never logged.
    logging: ['error', 'warn'],
    logger: new DatabaseLogger(),
    maxQueryExecutionTime: SLOW_QUERY_MS,
    // PGlite is one single-threaded database behind the socket: a pool of one connection keeps
    // transactions from interleaving on it.
    // It also runs named statements unnamed, so one failed statement cannot poison it (see
    // UnnamedStatementClient).
    extra: { max: opts.embedded ? 1 : opts.poolSize, application_name: 'switchboard', ...(opts.embedded ? { Client: UnnamedStatementClient } : {}) },
  };
}

/** Held while migrating and while re-encrypting stored secrets at boot. */
export const MIGRATION_LOCK = 727_274_001;

/** Runs pending migrations under an advisory lock, so two processes booting together are safe. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    // Same connection as the lock: the embedded database has a pool of one.
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const done = await executor.executePendingMigrations();
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
