import { isAbsolute, resolve } from 'node:path';
import { EnvSchema, validateEnv } from './env.schema';

function parseDuration(value: string): number {
  const n = Number(value.slice(0, -1));
  const unit = value.slice(-1);
  const factor = { s: 1, m: 60, h: 3600, d: 86400 }[unit] ?? 1;
  return n * factor;
}

/**
 * Typed, grouped view of the validated environment. The only class that reads
 * `process.env` is the bootstrap that builds it; everything else injects `AppConfig`.
 */
export class AppConfig {
  readonly env: EnvSchema;

  constructor(rawEnv: Record<string, string | undefined>) {
    this.env = validateEnv(rawEnv);
  }

  get isProduction() {
    return this.env.NODE_ENV === 'production';
  }

  get http() {
    const { PORT, HOST, BODY_LIMIT, PUBLIC_URL } = this.env;
    return { port: PORT, host: HOST, bodyLimit: BODY_LIMIT, publicUrl: PUBLIC_URL };
  }

  get dataDir() {
    const dir = this.env.DATA_DIR;
    return isAbsolute(dir) ? dir : resolve(process.cwd(), dir);
  }

  get db() {
    return {
      url: this.env.DATABASE_URL,
      embedded: !this.env.DATABASE_URL,
      poolSize: this.env.DATABASE_POOL_SIZE,
      runMigrations: this.env.DB_RUN_MIGRATIONS,
      embeddedDir: resolve(this.dataDir, 'pglite'),
    };
  }

  get auth() {
    return {
      apiKey: this.env.API_KEY,
      jwtSecret: this.env.JWT_SECRET,
      jwtExpiresInSeconds: parseDuration(this.env.JWT_EXPIRES_IN),
      adminPassword: this.env.ADMIN_PASSWORD,
    };
  }

  get whatsapp() {
    const e = this.env;
    return {
      engine: e.WA_ENGINE,
      authStateKey: e.AUTH_STATE_KEY,
      defaultCountry: e.DEFAULT_COUNTRY,
      simulatorUrl: e.WA_SIMULATOR_URL,
      restoreStaggerMs: e.SESSION_RESTORE_STAGGER_MS,
      readyWaitTimeoutMs: e.READY_WAIT_TIMEOUT_MS,
      qrWaitTimeoutMs: e.QR_WAIT_TIMEOUT_MS,
      reconnect: {
        baseDelayMs: e.RECONNECT_BASE_DELAY_MS,
        maxDelayMs: e.RECONNECT_MAX_DELAY_MS,
        maxAttempts: e.RECONNECT_MAX_ATTEMPTS,
        stableAfterMs: e.RECONNECT_STABLE_AFTER_MS,
        replacedDelayMs: e.REPLACED_RECONNECT_DELAY_MS,
      },
    };
  }

  get logging() {
    const e = this.env;
    return {
      level: e.LOG_LEVEL,
      pretty: e.LOG_FORMAT ? e.LOG_FORMAT === 'pretty' : !this.isProduction && Boolean(process.stdout.isTTY),
    };
  }

  publicUrl(): string {
    if (this.env.PUBLIC_URL) return this.env.PUBLIC_URL.replace(/\/$/, '');
    const host = ['0.0.0.0', '::', ''].includes(this.env.HOST) ? 'localhost' : this.env.HOST;
    return `http://${host}:${this.env.PORT}`;
  }
}
