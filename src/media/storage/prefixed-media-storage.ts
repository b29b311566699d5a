import { assertMediaKey, assertMediaPrefix, type MediaStorage, type StoredObject } from '../media-storage';

/** A view of a storage under a key prefix (`tts-cache/`): keys of the view are relative to it. */
export class PrefixedMediaStorage implements MediaStorage {
  constructor(
    private readonly inner: MediaStorage,
    private readonly prefix: string,
  ) {
    assertMediaPrefix(prefix);
    if (!prefix.endsWith('/')) throw new RangeError('A storage prefix ends with /');
  }

  put(key: string, data: Buffer): Promise<void> {
    return this.inner.put(this.full(key), data);
  }

  read(key: string): Promise<Buffer> {
    return this.inner.read(this.full(key));
  }

  exists(key: string): Promise<boolean> {
    return this.inner.exists(this.full(key));
  }

  localPath(key: string): Promise<string> {
    return this.inner.localPath(this.full(key));
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(this.full(key));
  }

  async list(prefix: string): Promise<StoredObject[]> {
    assertMediaPrefix(prefix);
    const all = await this.inner.list(this.prefix + prefix);
    return all.map((o) => ({ ...o, key: o.key.slice(this.prefix.length) }));
  }

  private full(key: string): string {
    assertMediaKey(key);
    return this.prefix + key;
  }
}
