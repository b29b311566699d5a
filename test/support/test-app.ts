import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource as TypeOrmDataSource, type DataSource } from 'typeorm';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { configureApp, createApp } from '../../src/bootstrap';
import { AppConfig } from '../../src/config/app-config';
import { ENGINE_FACTORY, type EngineFactory } from '../../src/whatsapp/engine/whatsapp-engine.port';
import { SessionRegistry } from '../../src/sessions/session-registry';
import { createTestDatabase, type TestDatabase } from './test-database';

export const TEST_API_KEY = 'test-admin-key-0123456789abcdef';

/**
 * App settings for tests that send through the sandbox engine: no pacing between sends, quick
 * receipts and a fast queue poll, so a message is SENT and DELIVERED within a test. Spread it
 * first and override what a test needs (e.g. `SANDBOX_RECEIPT_DELAY_MS: '0'`).
 */
export const FAST_QUEUE_ENV = {
  DEFAULT_MIN_DELAY_MS: '0',
  DEFAULT_MAX_DELAY_MS: '0',
  SANDBOX_RECEIPT_DELAY_MS: '20',
  QUEUE_POLL_INTERVAL_MS: '50',
} as const;

export interface TestAppOptions {
  env?: Record<string, string | undefined>;
  /** Reuse a database (and data dir) across app restarts. */
  database?: TestDatabase;
  dataDir?: string;
  engineFactory?: EngineFactory;
}

export interface TestApp {
  app: NestExpressApplication;
  url: string;
  config: AppConfig;
  database: TestDatabase;
  dataDir: string;
  registry: SessionRegistry;
  dataSource: DataSource;
  /** Closes the app (like SIGTERM); keeps the database and data dir. */
  close(): Promise<void>;
  /** Closes the app and drops its database and data dir. */
  destroy(): Promise<void>;
}

/**
 * Boots the real application (same bootstrap as production) on a random loopback port
 * against a fresh database (a copy of the run's migrated template, see test-database.ts). Engine is the sandbox unless the env says otherwise.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  await database.seed(dataDir);
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    API_KEY: TEST_API_KEY,
    WA_ENGINE: 'sandbox',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const config = new AppConfig(env);
  const app = options.engineFactory ? await createWithEngine(config, options.engineFactory) : await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  return {
    app,
    url,
    config,
    database,
    dataDir,
    registry: app.get(SessionRegistry),
    dataSource: app.get(TypeOrmDataSource),
    close,
    destroy: async () => {
      await close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The production module with only the engine factory swapped (the STYLE guide's e2e seam). */
async function createWithEngine(config: AppConfig, factory: EngineFactory): Promise<NestExpressApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] })
    .overrideProvider(ENGINE_FACTORY)
    .useValue(factory)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true, bodyParser: false });
  return configureApp(app, config);
}
