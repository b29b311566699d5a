import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { assertMediaKey, assertMediaPrefix, MediaObjectNotFoundError, type MediaStorage, type StoredObject } from '../media-storage';
import type { LocalFileCache } from './local-file-cache';

export interface S3MediaStorageOptions {
  /** Unset: AWS S3 itself. MinIO and other S3-compatible servers: their URL. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Both unset: the SDK's default credential chain (environment, instance role, …). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key` (MinIO needs it). */
  forcePathStyle: boolean;
  /** Prepended to every key, e.g. `switchboard/`. */
  keyPrefix: string;
}

/** The bucket cannot be used: the message says why, never with a credential in it. */
export class S3BucketUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'S3BucketUnavailableError';
  }
}

/**
 * Media bytes as objects in an S3-compatible bucket, through the AWS SDK's own client: every
 * replica reads what any replica wrote. `localPath` downloads (streamed) into the local file cache.
 */
export class S3MediaStorage implements MediaStorage {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    private readonly options: S3MediaStorageOptions,
    private readonly cache: LocalFileCache,
  ) {
    this.bucket = options.bucket;
    this.prefix = options.keyPrefix;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId && options.secretAccessKey ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } : undefined,
      // Checksums only where S3 requires them: several S3-compatible servers reject the newer
      // default (CRC32 headers and trailers on every upload).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  /**
   * Checks at boot that the bucket exists and these credentials reach it.
   * @throws S3BucketUnavailableError
   */
  async checkBucket(): Promise<void> {
    const where = `bucket '${this.bucket}' at ${this.options.endpoint ? displayEndpoint(this.options.endpoint) : `AWS S3 (${this.options.region})`}`;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const status = (err as S3ServiceException).$metadata?.httpStatusCode;
      const reason =
        status === 404
          ? 'does not exist: create it first (MEDIA_STORAGE=s3 never creates buckets)'
          : status === 403 || status === 401
            ? 'refused these credentials (check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, and the bucket policy)'
            : status === 301 || status === 400
              ? `answered ${status} (check S3_REGION and S3_FORCE_PATH_STYLE)`
              : `could not be reached (${(err as Error).name}: ${(err as Error).message})`;
      throw new S3BucketUnavailableError(`MEDIA_STORAGE=s3: ${where} ${reason}`, { cause: err });
    }
  }

  async put(key: string, data: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: data, ContentLength: data.length }));
    await this.cache.forget(key);
  }

  async read(key: string): Promise<Buffer> {
    const body = await this.get(key);
    return Buffer.from(await body.transformToByteArray());
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async localPath(key: string): Promise<string> {
    const objectKey = this.objectKey(key);
    return this.cache.path(key, async (target) => {
      const body = await this.get(key, objectKey);
      await pipeline(body as unknown as Readable, createWriteStream(target));
    });
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    await this.cache.forget(key);
  }

  async list(prefix: string): Promise<StoredObject[]> {
    assertMediaPrefix(prefix);
    const out: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const key = o.Key?.slice(this.prefix.length);
        // Objects someone else put in a shared bucket under names that are no media key.
        if (!key || !isMediaKey(key)) continue;
        out.push({ key, size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Closes the client's sockets at shutdown. */
  onApplicationShutdown(): void {
    this.client.destroy();
  }

  private async get(key: string, objectKey = this.objectKey(key)) {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      if (!res.Body) throw new MediaObjectNotFoundError(key);
      return res.Body;
    } catch (err) {
      if (isNotFound(err)) throw new MediaObjectNotFoundError(key, { cause: err });
      throw err;
    }
  }

  private objectKey(key: string): string {
    assertMediaKey(key);
    return this.prefix + key;
  }
}

/** The endpoint without any user or password written into its URL (for messages and logs). */
export function displayEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

function isMediaKey(key: string): boolean {
  try {
    assertMediaKey(key);
    return true;
  } catch {
    return false;
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as S3ServiceException;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
