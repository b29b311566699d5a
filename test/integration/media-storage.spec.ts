import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../../src/config/app-config';
import { VOICE_NOTE_MIMETYPE } from '../../src/media/audio/voice-note';
import { LocalDiskMediaStorage, MediaObjectNotFoundError, type MediaStorage } from '../../src/media/media-storage';
import { LocalFileCache } from '../../src/media/storage/local-file-cache';
import { PostgresMediaStorage } from '../../src/media/storage/postgres-media-storage';
import { PrefixedMediaStorage } from '../../src/media/storage/prefixed-media-storage';
import { S3BucketUnavailableError, S3MediaStorage } from '../../src/media/storage/s3-media-storage';
import { TtsCache } from '../../src/tts/tts-cache';
import { startLocalS3, type LocalS3 } from '../support/s3-server';
import { openTestDataSource, testDatabaseKinds, type TestDataSource } from '../support/test-database';
import { after, before, describe, it } from '../support/node-test';

/**
 * One contract for every media storage backend: the local disk, Postgres (PGlite, and the server
 * in DATABASE_URL when set) and S3 through the AWS SDK against a real S3-compatible server
 * (s3rver) on a loopback port.
 */
interface Backend {
  name: string;
  /** A fresh storage (and, for remote backends, the directory of its local file cache). */
  open(): Promise<{ storage: MediaStorage; cacheDir?: string }>;
  /** A second storage on the same backend, as another replica with its own cache would have. */
  replica(): Promise<MediaStorage>;
  close(): Promise<void>;
}

const tmp = mkdtempSync(join(tmpdir(), 'sb-media-storage-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const newDir = (name: string) => join(tmp, `${name}-${++dirs}`);

function diskBackend(): Backend {
  const root = newDir('disk');
  return {
    name: 'disk',
    open: async () => ({ storage: new LocalDiskMediaStorage(root) }),
    replica: async () => new LocalDiskMediaStorage(root),
    close: async () => undefined,
  };
}

function postgresBackend(kind: 'postgres' | 'pglite'): Backend {
  let db: TestDataSource | undefined;
  const cache = () => new LocalFileCache(newDir(`pg-cache`), 64 * 1024 * 1024);
  return {
    name: `postgres on ${kind}`,
    open: async () => {
      db ??= await openTestDataSource(kind);
      const c = cache();
      return { storage: new PostgresMediaStorage(db.dataSource, c), cacheDir: c.dir };
    },
    replica: async () => new PostgresMediaStorage(db!.dataSource, cache()),
    close: async () => db?.close(),
  };
}

function s3Backend(): Backend {
  let s3: LocalS3 | undefined;
  const opened: S3MediaStorage[] = [];
  const make = () => {
    const c = new LocalFileCache(newDir('s3-cache'), 64 * 1024 * 1024);
    const storage = new S3MediaStorage(
      { endpoint: s3!.endpoint, region: 'us-east-1', bucket: s3!.bucket, accessKeyId: s3!.accessKeyId, secretAccessKey: s3!.secretAccessKey, forcePathStyle: true, keyPrefix: 'node-a/' },
      c,
    );
    opened.push(storage);
    return { storage, cacheDir: c.dir };
  };
  return {
    name: 's3 (s3rver)',
    open: async () => {
      s3 ??= await startLocalS3();
      return make();
    },
    replica: async () => make().storage,
    close: async () => {
      for (const s of opened) s.onApplicationShutdown();
      await s3?.close();
    },
  };
}

const backends: Backend[] = [diskBackend(), ...testDatabaseKinds().map(postgresBackend), s3Backend()];

const INVALID_KEYS = ['', '../etc/passwd', 'a/../b', '/abs', 'a//b', '.hidden', 'a/.cache/x', 'a/', 'sp ace', 'a\\b', 'x'.repeat(513), 'ünï'];

for (const backend of backends) {
  describe(`media storage contract: ${backend.name}`, () => {
    let storage: MediaStorage;
    let cacheDir: string | undefined;

    before(async () => {
      ({ storage, cacheDir } = await backend.open());
    });
    after(() => backend.close());

    it('stores bytes and reads them back exactly, on this and on another replica', async () => {
      const data = randomBytes(300_000);
      await storage.put('ab/abcdef.jpg', data);
      assert.equal(await storage.exists('ab/abcdef.jpg'), true);
      assert.ok((await storage.read('ab/abcdef.jpg')).equals(data));
      const other = await backend.replica();
      assert.equal(await other.exists('ab/abcdef.jpg'), true);
      assert.ok((await other.read('ab/abcdef.jpg')).equals(data), 'another replica reads the same bytes');
      const empty = Buffer.alloc(0);
      await storage.put('empty.bin', empty);
      assert.equal((await storage.read('empty.bin')).length, 0);
    });

    it('overwrites an object whole', async () => {
      await storage.put('over/x.txt', Buffer.from('first version'));
      await storage.put('over/x.txt', Buffer.from('second'));
      assert.equal((await storage.read('over/x.txt')).toString(), 'second');
    });

    it('gives a local file with the bytes, downloading it to the cache when the backend is remote', async () => {
      const data = randomBytes(50_000);
      await storage.put('lp/voice.ogg', data);
      const other = await backend.replica();
      const [a, b] = await Promise.all([other.localPath('lp/voice.ogg'), other.localPath('lp/voice.ogg')]);
      assert.equal(a, b, 'concurrent requests share one file');
      assert.ok(readFileSync(a).equals(data));
      const own = await storage.localPath('lp/voice.ogg');
      assert.ok(readFileSync(own).equals(data));
      if (cacheDir) assert.ok(own.startsWith(cacheDir + '/'), `${own} is in the cache`);
      await storage.delete('lp/voice.ogg');
      assert.equal(existsSync(own), false, 'deleting removes the cached copy');
      await assert.rejects(storage.localPath('lp/voice.ogg'), MediaObjectNotFoundError);
    });

    it('refuses a missing key with MediaObjectNotFoundError, and deleting one is a no-op', async () => {
      assert.equal(await storage.exists('missing/nothing.bin'), false);
      await assert.rejects(storage.read('missing/nothing.bin'), (err: MediaObjectNotFoundError) => err instanceof MediaObjectNotFoundError && err.key === 'missing/nothing.bin');
      await assert.rejects(storage.localPath('missing/nothing.bin'), MediaObjectNotFoundError);
      await storage.delete('missing/nothing.bin');
    });

    it('deletes an object', async () => {
      await storage.put('del/x.bin', Buffer.from('bye'));
      await storage.delete('del/x.bin');
      assert.equal(await storage.exists('del/x.bin'), false);
      await assert.rejects(storage.read('del/x.bin'), MediaObjectNotFoundError);
      assert.deepEqual(await storage.list('del/'), []);
    });

    it('refuses keys that are not safe relative paths before touching the backend', async () => {
      for (const key of INVALID_KEYS) {
        await assert.rejects(storage.put(key, Buffer.from('x')), RangeError, `put ${key}`);
        await assert.rejects(storage.read(key), RangeError, `read ${key}`);
        await assert.rejects(storage.exists(key), RangeError, `exists ${key}`);
        await assert.rejects(storage.localPath(key), RangeError, `localPath ${key}`);
        await assert.rejects(storage.delete(key), RangeError, `delete ${key}`);
      }
      await assert.rejects(storage.list('../'), RangeError);
      assert.equal(existsSync(join(tmp, 'etc')), false);
    });

    it('lists objects under a prefix with their sizes, in key order', async () => {
      await storage.put('list/b.bin', Buffer.alloc(3));
      await storage.put('list/a.bin', Buffer.alloc(5));
      await storage.put('list/sub/c.bin', Buffer.alloc(7));
      await storage.put('listing-other/d.bin', Buffer.alloc(1));
      const listed = await storage.list('list/');
      assert.deepEqual(
        listed.map((o) => [o.key, o.size]),
        [['list/a.bin', 5], ['list/b.bin', 3], ['list/sub/c.bin', 7]],
      );
      for (const o of listed) assert.ok(Math.abs(o.modifiedAt.getTime() - Date.now()) < 120_000, 'modifiedAt is the write time');
      assert.deepEqual((await storage.list('list/a')).map((o) => o.key), ['list/a.bin']);
    });

    it('takes concurrent puts: distinct keys all land, one key ends with one whole version', async () => {
      const many = Array.from({ length: 20 }, (_, i) => ({ key: `conc/${i}.bin`, data: randomBytes(10_000 + i) }));
      await Promise.all(many.map((m) => storage.put(m.key, m.data)));
      for (const m of many) assert.ok((await storage.read(m.key)).equals(m.data), m.key);
      const versions = Array.from({ length: 8 }, () => randomBytes(100_000));
      await Promise.all(versions.map((v) => storage.put('conc/same.bin', v)));
      const final = await storage.read('conc/same.bin');
      assert.ok(versions.some((v) => v.equals(final)), 'the object is one of the versions, never a mix');
    });

    it('keeps the TTS cache where every replica finds it, and prunes it through the storage', async () => {
      const config = new AppConfig({ DATA_DIR: newDir('tts'), TTS_CACHE_MAX_MB: '1' });
      const view = new PrefixedMediaStorage(storage, 'tts-cache/');
      const cacheA = new TtsCache(config, view);
      const cacheB = new TtsCache(config, new PrefixedMediaStorage(await backend.replica(), 'tts-cache/'));
      const key = (i: number) => i.toString(16).padStart(64, '0');
      const note = () => ({ data: randomBytes(400_000), mimetype: VOICE_NOTE_MIMETYPE, seconds: 1, durationMs: 900, waveform: new Uint8Array(64).fill(7) });
      const info = { provider: 'espeak', model: 'm', voice: 'v', speed: 1, chunks: 1 };
      const first = note();
      await cacheA.put(key(1), first, info);
      const found = await cacheB.find(key(1));
      assert.ok(found?.data.equals(first.data), 'another replica finds the note');
      assert.ok(readFileSync(await cacheB.audioPath(key(1))).equals(first.data));
      await cacheA.settled();
      // Three more entries of 400 kB exceed 1 MB: the oldest are deleted through the storage.
      for (let i = 2; i <= 4; i++) {
        await cacheA.put(key(i), note(), info);
        await cacheA.settled();
      }
      const left = (await view.list('')).map((o) => o.key);
      assert.ok(left.includes(`${key(4)}.ogg`) && left.includes(`${key(4)}.json`), 'newest kept');
      assert.ok(!left.includes(`${key(2)}.ogg`), 'an older entry deleted');
      assert.ok(left.length <= 4, `at most two entries left: ${left.join(', ')}`);
    });
  });
}

describe('S3 backend at boot', () => {
  let s3: LocalS3;
  before(async () => {
    s3 = await startLocalS3('present-bucket');
  });
  after(() => s3?.close());

  it('refuses a missing bucket with a message naming it and never the secret', async () => {
    const secret = 'very-secret-value-123';
    const storage = new S3MediaStorage(
      { endpoint: s3.endpoint, region: 'us-east-1', bucket: 'no-such-bucket', accessKeyId: s3.accessKeyId, secretAccessKey: secret, forcePathStyle: true, keyPrefix: '' },
      new LocalFileCache(newDir('boot'), 1024),
    );
    try {
      await assert.rejects(storage.checkBucket(), (err: Error) => {
        assert.ok(err instanceof S3BucketUnavailableError);
        assert.match(err.message, /no-such-bucket/);
        assert.ok(!err.message.includes(secret));
        return true;
      });
    } finally {
      storage.onApplicationShutdown();
    }
  });

  it('reports an unreachable endpoint clearly', async () => {
    const storage = new S3MediaStorage(
      { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'present-bucket', accessKeyId: 'a', secretAccessKey: 'b', forcePathStyle: true, keyPrefix: '' },
      new LocalFileCache(newDir('boot'), 1024),
    );
    try {
      await assert.rejects(storage.checkBucket(), /present-bucket.*could not be reached/);
    } finally {
      storage.onApplicationShutdown();
    }
  });

  it('accepts an existing bucket', async () => {
    const storage = new S3MediaStorage(
      { endpoint: s3.endpoint, region: 'us-east-1', bucket: 'present-bucket', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true, keyPrefix: '' },
      new LocalFileCache(newDir('boot'), 1024),
    );
    await storage.checkBucket();
    storage.onApplicationShutdown();
  });
});

describe('local file cache of remote backends', () => {
  it('evicts the least recently used copies above its size, never one in use', async () => {
    const cache = new LocalFileCache(newDir('evict'), 250_000);
    const fill = (bytes: number) => async (target: string) => {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(target, randomBytes(bytes));
    };
    const a = await cache.path('a.bin', fill(100_000));
    const b = await cache.path('b.bin', fill(100_000));
    await cache.settled();
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(a, hourAgo, hourAgo);
    utimesSync(b, new Date(hourAgo.getTime() + 60_000), new Date(hourAgo.getTime() + 60_000));
    const c = await cache.path('c.bin', fill(100_000));
    await cache.settled();
    assert.equal(existsSync(a), false, 'least recently used copy evicted');
    assert.ok(existsSync(b) && existsSync(c), 'the rest fits under the limit again');
    let downloads = 0;
    await cache.path('b.bin', async () => void downloads++);
    assert.equal(downloads, 0, 'a cached copy is not downloaded again');
  });
});
