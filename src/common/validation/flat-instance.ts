import { TransformationType } from 'class-transformer';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
import { getMetadataStorage } from 'class-validator';

type Ctor = new () => object;

// class-transformer's decorator registry; the package exports it only by this path.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: MetadataStorage };

/** Keys whose values class-transformer copies as they are, per DTO class (null: none, use it). */
const plainKeysByClass = new WeakMap<Function, Set<string> | null>();

/**
 * `plainToInstance(cls, value)` for the common request body: a plain object whose values
 * are all strings, numbers, booleans or null, on keys that carry no class-transformer
 * decorator (`@Transform`, `@Type`, `@Expose`, `@Exclude`) and no accessor or method of the
 * class. For such a body class-transformer builds `new cls()` and copies every value as it
 * is, so this does exactly that without its per-call metadata walk; any other body gets
 * null and goes through class-transformer. Only declared properties are ever copied, so an own
 * `__proto__` or `constructor` key of a parsed body sends it down the full path.
 */
export function flatInstance(metatype: Function, value: unknown): object | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return null;
  const plainKeys = plainKeysOf(metatype);
  if (!plainKeys) return null;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (const key of keys) {
    if (!plainKeys.has(key)) return null;
    const v = record[key];
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return null;
  }
  const instance = new (metatype as Ctor)() as Record<string, unknown>;
  for (const key of keys) instance[key] = record[key];
  return instance;
}

function plainKeysOf(metatype: Function): Set<string> | null {
  let keys = plainKeysByClass.get(metatype);
  if (keys === undefined) {
    keys = computePlainKeys(metatype);
    plainKeysByClass.set(metatype, keys);
  }
  return keys;
}

function computePlainKeys(metatype: Function): Set<string> | null {
  const storage = defaultMetadataStorage;
  if (storage.getStrategy(metatype) !== 'none') return null;
  if (storage.getExposedMetadatas(metatype).length || storage.getExcludedMetadatas(metatype).length) return null;
  const keys = new Set<string>();
  // The class's own declared properties are the candidates: class-validator registers each
  // validated one; anything else is not whitelisted and is left to the full path anyway.
  for (const key of declaredProperties(metatype)) {
    if (storage.findTypeMetadata(metatype, key)) continue;
    if (storage.findTransformMetadatas(metatype, key, TransformationType.PLAIN_TO_CLASS).length) continue;
    if (hasPrototypeMember(metatype, key)) continue;
    keys.add(key);
  }
  return keys;
}

function declaredProperties(metatype: Function): string[] {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(metatype, '', false, false, undefined);
  return [...new Set(metadatas.map((m) => m.propertyName))];
}

function hasPrototypeMember(metatype: Function, key: string): boolean {
  for (let p = metatype.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.getOwnPropertyDescriptor(p, key)) return true;
  }
  return false;
}
