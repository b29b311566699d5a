import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  const v = String(value).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * Every environment variable Switchboard reads, declared once. `.env.example` documents the
 * same list. Secrets have no default: where one is missing the server generates and persists
 * it (JWT secret, admin token) instead of falling back to a constant.
 */
export class EnvSchema {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV?: 'development' | 'production' | 'test';

  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Public base URL used in printed links and Cloud API media URLs. Defaults to http://localhost:PORT. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^https?:\/\/[^\s]+$/)
  PUBLIC_URL?: string;

  /** postgres://… ; unset means embedded PGlite under DATA_DIR. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^postgres(ql)?:\/\/.+/)
  DATABASE_URL?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE = 10;

  @Transform(toBool) @IsBoolean()
  DB_RUN_MIGRATIONS = true;

  @IsString() @MinLength(1)
  DATA_DIR = './data';

  /** Static admin key accepted as Bearer / X-API-Key / apikey. */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(16)
  API_KEY?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(32)
  JWT_SECRET?: string;

  @Matches(/^\d+[smhd]$/)
  JWT_EXPIRES_IN = '7d';

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(8)
  ADMIN_PASSWORD?: string;

  @IsIn(['baileys', 'sandbox'])
  WA_ENGINE: 'baileys' | 'sandbox' = 'baileys';

  /** 32 bytes as 64 hex chars or base64; encrypts WhatsApp credentials at rest. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=?)$/)
  AUTH_STATE_KEY?: string;

  @Length(2, 2) @Matches(/^[A-Z]{2}$/)
  DEFAULT_COUNTRY = 'US';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Transform(emptyToUndefined) @IsOptional() @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  @IsString()
  BODY_LIMIT = '1mb';

  /** Test-only: a loopback WhatsApp simulator (refused when NODE_ENV=production). */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^wss?:\/\/[^\s]+$/)
  WA_SIMULATOR_URL?: string;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^[0-9a-fA-F]{64}$/)
  WA_SIMULATOR_ROOT_KEY?: string;

  @Transform(toInt) @IsInt() @Min(0)
  SESSION_RESTORE_STAGGER_MS = 300;

  @Transform(toInt) @IsInt() @Min(0)
  RECONNECT_BASE_DELAY_MS = 1000;

  @Transform(toInt) @IsInt() @Min(0)
  RECONNECT_MAX_DELAY_MS = 60_000;

  @Transform(toInt) @IsInt() @Min(0)
  RECONNECT_MAX_ATTEMPTS = 50;

  @Transform(toInt) @IsInt() @Min(0)
  RECONNECT_STABLE_AFTER_MS = 60_000;

  @Transform(toInt) @IsInt() @Min(0)
  REPLACED_RECONNECT_DELAY_MS = 30_000;

  @Transform(toInt) @IsInt() @Min(100)
  READY_WAIT_TIMEOUT_MS = 10_000;

  /** How long GET /qr waits for the first QR of a session that is just starting. */
  @Transform(toInt) @IsInt() @Min(0)
  QR_WAIT_TIMEOUT_MS = 5_000;
}

export class ConfigValidationError extends Error {
  constructor(readonly keys: string[]) {
    super(`Invalid configuration: ${keys.join(', ')}`);
    this.name = 'ConfigValidationError';
  }
}

const KNOWN_KEYS = new Set(Object.keys(new EnvSchema()).concat(
  ['NODE_ENV', 'PUBLIC_URL', 'DATABASE_URL', 'API_KEY', 'JWT_SECRET', 'ADMIN_PASSWORD', 'AUTH_STATE_KEY',
    'LOG_FORMAT', 'WA_SIMULATOR_URL', 'WA_SIMULATOR_ROOT_KEY'],
));

/**
 * Validates the environment. Throws `ConfigValidationError` naming the offending keys and
 * never their values (they may be secrets).
 */
export function validateEnv(env: Record<string, string | undefined>): EnvSchema {
  const input: Record<string, unknown> = {};
  for (const key of KNOWN_KEYS) if (env[key] !== undefined) input[key] = env[key];
  const parsed = plainToInstance(EnvSchema, input);
  const errors = validateSync(parsed, { whitelist: true, forbidUnknownValues: false });
  const keys = errors.map((e) => e.property);
  if (parsed.NODE_ENV === 'production') {
    if (parsed.WA_SIMULATOR_URL) keys.push('WA_SIMULATOR_URL');
    if (parsed.WA_SIMULATOR_ROOT_KEY) keys.push('WA_SIMULATOR_ROOT_KEY');
  }
  if (keys.length) throw new ConfigValidationError([...new Set(keys)].sort());
  return parsed;
}
