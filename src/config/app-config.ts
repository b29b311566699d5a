import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { parseAllowlist } from '../common/net/url-guard';
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
    const { PORT, HOST, BODY_LIMIT, PUBLIC_URL, TRUST_PROXY } = this.env;
    return { port: PORT, host: HOST, bodyLimit: BODY_LIMIT, publicUrl: PUBLIC_URL, trustProxy: parseTrustProxy(TRUST_PROXY) };
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
      /** Signs the connections API's connection tokens; unset → derived from the master key. */
      gatewayJwtSecret: this.env.GATEWAY_JWT_SECRET,
      jwtExpiresInSeconds: parseDuration(this.env.JWT_EXPIRES_IN),
      adminPassword: this.env.ADMIN_PASSWORD,
      passwordAttempts: {
        maxFailures: this.env.LOGIN_MAX_FAILURES,
        maxFailuresGlobal: Math.max(this.env.LOGIN_MAX_FAILURES, this.env.LOGIN_MAX_FAILURES_GLOBAL),
        windowMs: this.env.LOGIN_FAILURE_WINDOW_MS,
      },
    };
  }

  /** The master key that encrypts stored secrets (see src/crypto). */
  get crypto() {
    const e = this.env;
    return { masterKey: e.MASTER_KEY, previousKeys: e.MASTER_KEY_PREVIOUS, authStateKey: e.AUTH_STATE_KEY };
  }

  get whatsapp() {
    const e = this.env;
    return {
      engine: e.WA_ENGINE,
      defaultCountry: e.DEFAULT_COUNTRY,
      simulatorUrl: e.WA_SIMULATOR_URL,
      restoreConcurrency: e.SESSION_RESTORE_CONCURRENCY,
      readyWaitTimeoutMs: e.READY_WAIT_TIMEOUT_MS,
      qrWaitTimeoutMs: e.QR_WAIT_TIMEOUT_MS,
      sandboxReceiptDelayMs: e.SANDBOX_RECEIPT_DELAY_MS,
      sandboxSendLog: e.SANDBOX_SEND_LOG,
      reconnect: {
        baseDelayMs: e.RECONNECT_BASE_DELAY_MS,
        maxDelayMs: e.RECONNECT_MAX_DELAY_MS,
        maxAttempts: e.RECONNECT_MAX_ATTEMPTS,
        stableAfterMs: e.RECONNECT_STABLE_AFTER_MS,
        replacedDelayMs: e.REPLACED_RECONNECT_DELAY_MS,
      },
    };
  }

  /** Replicas sharing the database (src/cluster). */
  get cluster() {
    const e = this.env;
    const url = (e.NODE_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, '');
    return { nodeId: e.NODE_ID ?? hostname(), host: hostname(), url, leaseTtlMs: e.SESSION_LEASE_TTL_MS };
  }

  get media() {
    const e = this.env;
    return {
      maxBytes: e.MEDIA_MAX_BYTES,
      fetchTimeoutMs: e.MEDIA_FETCH_TIMEOUT_MS,
      maxRedirects: e.MEDIA_FETCH_MAX_REDIRECTS,
      urlAllowlist: parseAllowlist(e.MEDIA_URL_ALLOWLIST),
      imageMaxDimension: e.IMAGE_MAX_DIMENSION,
      imageJpegQuality: e.IMAGE_JPEG_QUALITY,
      imageMaxPixels: e.IMAGE_MAX_PIXELS,
      dir: resolve(this.dataDir, 'media'),
      storage: e.MEDIA_STORAGE,
      /** Local copies of remote objects; hidden in the media dir (no key starts with a dot). */
      cacheDir: resolve(this.dataDir, 'media', '.cache'),
      cacheMaxBytes: e.MEDIA_CACHE_MAX_MB * 1024 * 1024,
      s3:
        e.MEDIA_STORAGE === 's3'
          ? {
              endpoint: e.S3_ENDPOINT,
              region: e.S3_REGION,
              bucket: e.S3_BUCKET!,
              accessKeyId: e.S3_ACCESS_KEY_ID,
              secretAccessKey: e.S3_SECRET_ACCESS_KEY,
              forcePathStyle: e.S3_FORCE_PATH_STYLE,
              keyPrefix: e.S3_KEY_PREFIX,
            }
          : undefined,
    };
  }

  get queue() {
    const e = this.env;
    return {
      messageTtlMs: e.QUEUE_MESSAGE_TTL_MS,
      maxAttempts: e.QUEUE_MAX_ATTEMPTS,
      retryBaseDelayMs: e.QUEUE_RETRY_BASE_DELAY_MS,
      leaseMs: e.QUEUE_LEASE_MS,
      pollIntervalMs: e.QUEUE_POLL_INTERVAL_MS,
      sweepIntervalMs: e.QUEUE_SWEEP_INTERVAL_MS,
      defaultMinDelayMs: e.DEFAULT_MIN_DELAY_MS,
      defaultMaxDelayMs: Math.max(e.DEFAULT_MIN_DELAY_MS, e.DEFAULT_MAX_DELAY_MS),
    };
  }

  get logging() {
    const e = this.env;
    return {
      level: e.LOG_LEVEL,
      /** The replica's name on every log line: NODE_ID, else the host name. */
      node: e.NODE_ID ?? hostname(),
      pretty: e.LOG_FORMAT ? e.LOG_FORMAT === 'pretty' : !this.isProduction && Boolean(process.stdout.isTTY),
    };
  }

  get metrics() {
    return { token: this.env.METRICS_TOKEN };
  }

  get tts() {
    const e = this.env;
    return {
      provider: e.TTS_PROVIDER ?? (e.OPENAI_API_KEY ? 'openai' : 'espeak'),
      model: e.TTS_MODEL,
      defaultVoice: e.TTS_VOICE,
      maxTextChars: e.TTS_MAX_TEXT_CHARS,
      chunkMaxChars: e.TTS_CHUNK_MAX_CHARS,
      cacheDir: resolve(this.dataDir, 'tts-cache'),
      cacheMaxBytes: e.TTS_CACHE_MAX_MB * 1024 * 1024,
      espeakPath: e.ESPEAK_PATH,
      openai: {
        apiKey: e.OPENAI_API_KEY,
        baseUrl: e.OPENAI_BASE_URL,
        timeoutMs: e.OPENAI_TIMEOUT_MS,
        maxRetries: e.OPENAI_MAX_RETRIES,
      },
    } as const;
  }

  get audio() {
    return { ffmpegPath: this.env.FFMPEG_PATH, processTimeoutMs: this.env.AUDIO_PROCESS_TIMEOUT_MS };
  }

  get webhooks() {
    const e = this.env;
    return {
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: Math.max(e.WEBHOOK_RETRY_BASE_MS, e.WEBHOOK_RETRY_MAX_MS),
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      concurrency: e.WEBHOOK_CONCURRENCY,
      chatConcurrency: e.WEBHOOK_CHAT_CONCURRENCY,
      // A lease shorter than one attempt could expire mid-request and let a second process in.
      leaseMs: Math.max(e.WEBHOOK_LEASE_MS, e.WEBHOOK_TIMEOUT_MS + 1_000),
      pollIntervalMs: e.WEBHOOK_POLL_INTERVAL_MS,
      retentionDays: e.WEBHOOK_RETENTION_DAYS,
      streamHeartbeatMs: e.EVENTS_HEARTBEAT_MS,
      urlAllowlist: parseAllowlist(e.WEBHOOK_URL_ALLOWLIST),
    };
  }

  get events() {
    return { pollIntervalMs: this.env.EVENTS_POLL_INTERVAL_MS, retentionHours: this.env.EVENTS_RETENTION_HOURS };
  }

  /** The phones manager API: phone quota (0 = unlimited) and the media kinds it may send. */
  get phones() {
    const media = this.env.PHONES_ALLOWED_MEDIA.split(',').map((k) => k.trim()).filter(Boolean);
    return { quota: this.env.PHONES_QUOTA, allowedMedia: [...new Set(media)] as ('image' | 'video' | 'audio' | 'document')[] };
  }

  /** The device-token gateway API (/compat/devices). */
  get devicesApi() {
    return { tokenAuth: this.env.DEVICES_TOKEN_AUTH };
  }

  get cloudApi() {
    return { rateLimitPerSecond: this.env.CLOUD_API_RATE_LIMIT, mediaUrlTtlSeconds: this.env.CLOUD_API_MEDIA_URL_TTL_SECONDS };
  }

  publicUrl(): string {
    if (this.env.PUBLIC_URL) return this.env.PUBLIC_URL.replace(/\/$/, '');
    const host = ['0.0.0.0', '::', ''].includes(this.env.HOST) ? 'localhost' : this.env.HOST;
    return `http://${host}:${this.env.PORT}`;
  }
}

/** TRUST_PROXY → Express's `trust proxy` value: false/true, a hop count, or a list of addresses. */
function parseTrustProxy(raw: string): boolean | number | string[] {
  const v = raw.trim().toLowerCase();
  if (v === 'false' || v === '0') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}
