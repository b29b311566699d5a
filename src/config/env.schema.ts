import { applyDecorators } from '@nestjs/common';
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
  ValidateIf,
  getMetadataStorage,
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

/** An integer setting of at least `min` (and at most `max`), parsed from the environment's string. */
const IntSetting = (min: number, max?: number): PropertyDecorator =>
  applyDecorators(...(max === undefined ? [] : [Max(max)]), Min(min), IsInt(), Transform(toInt));

/**
 * Every environment variable Switchboard reads, declared once. `.env.example` documents the
 * same list. Secrets have no default: where one is missing the server generates and persists
 * it (JWT secret, admin token) instead of falling back to a constant.
 */
export class EnvSchema {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV?: 'development' | 'production' | 'test';

  @IntSetting(0, 65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Public base URL used in printed links and Cloud API media URLs. Defaults to http://localhost:PORT. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^https?:\/\/[^\s]+$/)
  PUBLIC_URL?: string;

  /** postgres://… ; unset means embedded PGlite under DATA_DIR. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^postgres(ql)?:\/\/.+/)
  DATABASE_URL?: string;

  @IntSetting(1, 200)
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

  /**
   * Signs the connection tokens (HS256 JWTs) of the connections API under /compat/connections.
   * Unset: a secret derived from the master key, so tokens issued stay the same across restarts.
   */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(16)
  GATEWAY_JWT_SECRET?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(8)
  ADMIN_PASSWORD?: string;

  /** Failed password checks (login, change-password) per client address per LOGIN_FAILURE_WINDOW_MS; then 429. */
  @IntSetting(1)
  LOGIN_MAX_FAILURES = 10;

  /** Failed password checks from all clients together per window (bounds guessing from many addresses). */
  @IntSetting(1)
  LOGIN_MAX_FAILURES_GLOBAL = 100;

  @IntSetting(100)
  LOGIN_FAILURE_WINDOW_MS = 900_000;

  @IsIn(['baileys', 'sandbox'])
  WA_ENGINE: 'baileys' | 'sandbox' = 'baileys';

  /** Older name of MASTER_KEY (32 bytes as 64 hex chars or base64); still accepted. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=?)$/)
  AUTH_STATE_KEY?: string;

  /** Encrypts stored secrets (32 bytes as 64 hex chars or base64); unset → DATA_DIR/master.key. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=?)$/)
  MASTER_KEY?: string;

  /** Earlier master keys, comma-separated: still decrypt, and are re-encrypted at boot. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^(([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=?)(,\s*|$))+$/)
  MASTER_KEY_PREVIOUS?: string;

  @Length(2, 2) @Matches(/^[A-Z]{2}$/)
  DEFAULT_COUNTRY = 'US';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Transform(emptyToUndefined) @IsOptional() @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  /** Bearer token Prometheus scrapes GET /metrics with; unset → only an admin credential may. */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(16)
  METRICS_TOKEN?: string;

  @IsString()
  BODY_LIMIT = '1mb';

  /**
   * Which peers' X-Forwarded-For Express believes (its `trust proxy`): `loopback` (a proxy on
   * this host), `false` (never), a hop count, or comma-separated IPs/CIDRs/`uniquelocal`.
   * Decides the client address the failed-login limit counts by.
   */
  @IsString() @MinLength(1)
  TRUST_PROXY = 'loopback';

  /** Test-only: a loopback WhatsApp simulator (refused when NODE_ENV=production). */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^wss?:\/\/[^\s]+$/)
  WA_SIMULATOR_URL?: string;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^[0-9a-fA-F]{64}$/)
  WA_SIMULATOR_ROOT_KEY?: string;

  /**
   * How many sessions restored at once may be in their handshake (socket opened, not yet READY,
   * a QR or closed): the next one connects as soon as one of them is through, so hundreds of
   * sessions come back quickly without hundreds of simultaneous handshakes.
   */
  @IntSetting(1, 1000)
  SESSION_RESTORE_CONCURRENCY = 16;

  /**
   * Names this replica among those sharing the database (docs/scaling.md) and on every log
   * line. Unset: the host name, so a restarted process takes its own sessions back at once.
   */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/)
  NODE_ID?: string;

  /**
   * The base URL other replicas reach this one at, for calls that need the replica running a
   * session (docs/scaling.md). Unset: http://127.0.0.1:PORT (replicas on one host).
   */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/)
  NODE_URL?: string;

  /** How long a replica's hold on a session lasts without renewal (renewed every third of it). */
  @IntSetting(300)
  SESSION_LEASE_TTL_MS = 15_000;

  @IntSetting(0)
  RECONNECT_BASE_DELAY_MS = 1000;

  @IntSetting(0)
  RECONNECT_MAX_DELAY_MS = 60_000;

  @IntSetting(0)
  RECONNECT_MAX_ATTEMPTS = 50;

  @IntSetting(0)
  RECONNECT_STABLE_AFTER_MS = 60_000;

  @IntSetting(0)
  REPLACED_RECONNECT_DELAY_MS = 30_000;

  @IntSetting(100)
  READY_WAIT_TIMEOUT_MS = 10_000;

  /** Largest media file accepted (upload, URL or base64), in bytes. */
  @IntSetting(1024)
  MEDIA_MAX_BYTES = 64 * 1024 * 1024;

  @IntSetting(100)
  MEDIA_FETCH_TIMEOUT_MS = 20_000;

  @IntSetting(0, 10)
  MEDIA_FETCH_MAX_REDIRECTS = 3;

  /** Hosts, IPs or CIDRs that media URLs may reach although they are private or loopback. */
  @IsString()
  MEDIA_URL_ALLOWLIST = '';

  /** Images are downscaled to fit this many pixels on their longest side and re-encoded as JPEG. */
  @IntSetting(64, 8192)
  IMAGE_MAX_DIMENSION = 1280;

  @IntSetting(1, 100)
  IMAGE_JPEG_QUALITY = 78;

  /**
   * Largest image accepted, in pixels (width × height as its header declares them): larger
   * images are refused (MEDIA_TOO_MANY_PIXELS) before they are decoded, since decoding needs
   * memory for every pixel whatever the file size. 50 megapixels by default.
   */
  @IntSetting(1, 268_402_689)
  IMAGE_MAX_PIXELS = 50_000_000;

  // --- Media storage (docs/media-storage.md) ----------------------------------------------

  /**
   * Where media and cached voice notes live: `disk` (DATA_DIR/media, one node), `postgres` (the
   * database, shared by replicas) or `s3` (an S3-compatible bucket such as MinIO, shared).
   */
  @IsIn(['disk', 'postgres', 's3'])
  MEDIA_STORAGE: 'disk' | 'postgres' | 's3' = 'disk';

  /** postgres and s3: size of the local file cache (DATA_DIR/media/.cache) the engine streams from. */
  @IntSetting(1)
  MEDIA_CACHE_MAX_MB = 1024;

  /** S3-compatible endpoint URL (MinIO: http://minio:9000); unset = AWS S3. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^https?:\/\/[^\s]+$/)
  S3_ENDPOINT?: string;

  @IsString() @MinLength(1)
  S3_REGION = 'us-east-1';

  /** Required when MEDIA_STORAGE=s3; the bucket must exist (checked at boot). */
  @Transform(emptyToUndefined)
  @ValidateIf((o: EnvSchema) => o.MEDIA_STORAGE === 's3' || o.S3_BUCKET !== undefined)
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
  S3_BUCKET?: string;

  /** With S3_SECRET_ACCESS_KEY; both unset = the SDK's default credential chain (instance role, …). */
  @Transform(emptyToUndefined)
  @ValidateIf((o: EnvSchema) => o.S3_SECRET_ACCESS_KEY !== undefined || o.S3_ACCESS_KEY_ID !== undefined)
  @IsString() @MinLength(1)
  S3_ACCESS_KEY_ID?: string;

  @Transform(emptyToUndefined)
  @ValidateIf((o: EnvSchema) => o.S3_SECRET_ACCESS_KEY !== undefined || o.S3_ACCESS_KEY_ID !== undefined)
  @IsString() @MinLength(1)
  S3_SECRET_ACCESS_KEY?: string;

  /** Path-style URLs (http://host/bucket/key): MinIO and most self-hosted servers need it. */
  @IsBoolean() @Transform(toBool)
  S3_FORCE_PATH_STYLE = false;

  /** Prepended to every object key, e.g. `switchboard/` to share a bucket; '' or ending with `/`. */
  @Matches(/^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*$/)
  S3_KEY_PREFIX = '';

  /** How long a queued message waits for its session before it ends EXPIRED. */
  @IntSetting(1000)
  QUEUE_MESSAGE_TTL_MS = 24 * 3600 * 1000;

  /** Attempts of a message with transient failures before it ends FAILED. */
  @IntSetting(1, 100)
  QUEUE_MAX_ATTEMPTS = 6;

  @IntSetting(0)
  QUEUE_RETRY_BASE_DELAY_MS = 5_000;

  /** How long a claimed message stays reserved for the process that claimed it. */
  @IntSetting(100)
  QUEUE_LEASE_MS = 120_000;

  /** How often idle dispatchers look for due messages queued by other processes. */
  @IntSetting(10)
  QUEUE_POLL_INTERVAL_MS = 1_000;

  /** How often expired messages and abandoned claims are swept. */
  @IntSetting(50)
  QUEUE_SWEEP_INTERVAL_MS = 10_000;

  /** Default pacing between two sends of one session (random in [min, max]); per-session settings override. */
  @IntSetting(0)
  DEFAULT_MIN_DELAY_MS = 2_000;

  @IntSetting(0)
  DEFAULT_MAX_DELAY_MS = 5_000;

  /** Sandbox engine: delay before each automatic receipt (delivered, read, played); 0 = none. */
  @IntSetting(0)
  SANDBOX_RECEIPT_DELAY_MS = 500;

  /** Sandbox engine: file that gets one JSON line per accepted send (tests across restarts). */
  @Transform(emptyToUndefined) @IsOptional() @IsString()
  SANDBOX_SEND_LOG?: string;

  /** How long GET /qr waits for the first QR of a session that is just starting. */
  @IntSetting(0)
  QR_WAIT_TIMEOUT_MS = 5_000;

  // --- Text-to-speech and audio -------------------------------------------------------

  /** openai or espeak (offline, robotic). Unset: openai when OPENAI_API_KEY is set, else espeak. */
  @Transform(emptyToUndefined) @IsOptional() @IsIn(['openai', 'espeak'])
  TTS_PROVIDER?: 'openai' | 'espeak';

  /** Required when TTS_PROVIDER=openai. */
  @Transform(emptyToUndefined)
  @ValidateIf((o: EnvSchema) => o.TTS_PROVIDER === 'openai' || o.OPENAI_API_KEY !== undefined)
  @IsString() @MinLength(1)
  OPENAI_API_KEY?: string;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^https?:\/\/[^\s]+$/)
  OPENAI_BASE_URL?: string;

  /** Per-attempt timeout of an OpenAI request. */
  @IntSetting(100)
  OPENAI_TIMEOUT_MS = 30_000;

  /** Retries the OpenAI client makes itself (429, 5xx, connection errors) before giving up. */
  @IntSetting(0, 10)
  OPENAI_MAX_RETRIES = 1;

  @IsString() @MinLength(1)
  TTS_MODEL = 'gpt-4o-mini-tts';

  /** Voice used when a request names none; unset = the provider's default (coral, en-us). */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(1)
  TTS_VOICE?: string;

  /** Longest text accepted for one voice note; longer text is refused with TTS_TEXT_TOO_LONG. */
  @IntSetting(1, 100_000)
  TTS_MAX_TEXT_CHARS = 8000;

  /** Largest text per provider request (capped at the provider's own limit, 4096 for OpenAI). */
  @IntSetting(50)
  TTS_CHUNK_MAX_CHARS = 4096;

  /** Size above which the least recently used cached voice notes are deleted. */
  @IntSetting(1)
  TTS_CACHE_MAX_MB = 512;

  @IsString() @MinLength(1)
  ESPEAK_PATH = 'espeak-ng';

  @IsString() @MinLength(1)
  FFMPEG_PATH = 'ffmpeg';

  /** ffmpeg and espeak-ng runs are killed after this long. */
  @IntSetting(100)
  AUDIO_PROCESS_TIMEOUT_MS = 60_000;

  // --- Webhooks and the live event stream -----------------------------------------------

  /**
   * Hosts, IPs or CIDRs (same syntax as MEDIA_URL_ALLOWLIST) that webhooks set by a session- or
   * workspace-bound token may reach although they are private or loopback, and that any webhook
   * may reach although they are link-local (cloud metadata).
   */
  @IsString()
  WEBHOOK_URL_ALLOWLIST = '';

  /** One delivery attempt (connect, send, response) is abandoned after this long. */
  @IntSetting(100)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /** First retry delay of a failing webhook; doubles per failure in a row up to WEBHOOK_RETRY_MAX_MS, ±20 % jitter. */
  @IntSetting(1)
  WEBHOOK_RETRY_BASE_MS = 10_000;

  @IntSetting(1)
  WEBHOOK_RETRY_MAX_MS = 3_600_000;

  /** Attempts per delivery before it ends FAILED (the default schedule spans ≈ 21 h). */
  @IntSetting(1, 1000)
  WEBHOOK_MAX_ATTEMPTS = 30;

  /** Webhooks delivered at the same time by one process (each delivers its own queue in order). */
  @IntSetting(1, 1000)
  WEBHOOK_CONCURRENCY = 16;

  /** Requests in flight at once to one webhook, each for a different chat (one chat's events always go one at a time, in order). */
  @IntSetting(1, 256)
  WEBHOOK_CHAT_CONCURRENCY = 16;

  /** How long a process's claim on a webhook's queue outlives the process (renewed while it runs). */
  @IntSetting(500)
  WEBHOOK_LEASE_MS = 30_000;

  /** How often idle dispatchers look for deliveries created by other processes. */
  @IntSetting(10)
  WEBHOOK_POLL_INTERVAL_MS = 1_000;

  /** Delivered and failed deliveries (with their attempt log) are deleted after this many days; 0 keeps them. */
  @IntSetting(0)
  WEBHOOK_RETENTION_DAYS = 30;

  /** Interval of the keep-alive comment on GET /api/events. */
  @IntSetting(100)
  EVENTS_HEARTBEAT_MS = 15_000;

  /** How often GET /api/events looks for events written by other processes (its own commits wake it at once). */
  @IntSetting(10)
  EVENTS_POLL_INTERVAL_MS = 1_000;

  /** Events stay in the outbox (replayable with Last-Event-ID) this many hours; 0 keeps them. */
  @IntSetting(0)
  EVENTS_RETENTION_HOURS = 72;

  /** Cloud API facade: sends accepted per phone number per second (Meta's 130429 beyond); 0 = no limit. */
  @IntSetting(0)
  CLOUD_API_RATE_LIMIT = 80;

  /** Cloud API facade: how long a media download URL from GET /{media-id} stays valid (Meta: about 5 minutes). */
  @IntSetting(1)
  CLOUD_API_MEDIA_URL_TTL_SECONDS = 300;

  // --- Phones manager API (/compat/phones) ----------------------------------------------

  /** How many phone numbers the phones manager API may hold; 0 = unlimited. */
  @IntSetting(0)
  PHONES_QUOTA = 0;

  /** Media kinds its `message` route may send (comma list of image, video, audio, document); empty = none. */
  @Matches(/^\s*((image|video|audio|document)\s*(,\s*|$))*$/)
  PHONES_ALLOWED_MEDIA = 'image,video,audio,document';

  // --- Device-token gateway API (/compat/devices) ---------------------------------------

  /**
   * The device-token gateway API (/compat/devices): when true, its per-device routes (start,
   * qrcode, status, send, contacts, groups, logout, reconnect, pairing-code) also accept a
   * request that carries only a device token (no apikey), acting on that device only. Off by
   * default: a device token is a name that shows in URLs and listings, not a secret.
   */
  @Transform(toBool) @IsBoolean()
  DEVICES_TOKEN_AUTH = false;
}

export class ConfigValidationError extends Error {
  constructor(readonly keys: string[]) {
    super(`Invalid configuration: ${keys.join(', ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Every declared variable, read from the class-validator metadata of `EnvSchema`. */
const KNOWN_KEYS = new Set(
  getMetadataStorage()
    .getTargetValidationMetadatas(EnvSchema, '', true, false)
    .map((m) => m.propertyName),
);

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
