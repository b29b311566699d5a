import { ValidationError, ValidationPipe, type ArgumentMetadata, type PipeTransform, type ValidationPipeOptions } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { assertSafeInput, inputError } from './input-guard';
import { schemaOf } from './json-schema';

const BUILT_IN = new Set<unknown>([String, Number, Boolean, Object, Array]);

/** Whether the DTO property takes a list (IsArray or an `each` rule), so a repeated query parameter fits it. */
function takesList(metatype: Function, property: string): boolean {
  return getMetadataStorage()
    .getTargetValidationMetadatas(metatype, '', false, false, undefined)
    .some((m) => m.propertyName === property && (m.name === 'isArray' || m.each === true));
}

/** Whether the DTO documents the property as nullable (`@ApiProperty({ nullable: true })`). */
function documentedNullable(metatype: Function, property: string): boolean {
  const doc = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, metatype.prototype, property) as { nullable?: boolean } | undefined;
  return doc?.nullable === true;
}

/**
 * Input no handler should see, whatever its DTO says: NUL characters, lone surrogates and deep
 * nesting in any body, query or path value; a query parameter given more than once where one
 * value is expected (Express hands the handler an array); `null` for a field of a request DTO
 * that is not documented as nullable (class-validator's IsOptional lets null through, and the
 * services read an optional field as "absent or a value of its type").
 */
export function refuseHostileInput(value: unknown, metadata: ArgumentMetadata): void {
  if (metadata.type !== 'body' && metadata.type !== 'query' && metadata.type !== 'param') return;
  assertSafeInput(value, metadata.data ?? '');
  const { metatype } = metadata;
  const isDto = typeof metatype === 'function' && !BUILT_IN.has(metatype);
  if (metadata.type === 'query' && metadata.data && Array.isArray(value) && metatype !== Array) {
    throw inputError({ field: metadata.data, message: 'must be given once' });
  }
  if (!isDto || value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (metadata.type === 'query' && Array.isArray(v) && !takesList(metatype, key)) throw inputError({ field: key, message: 'must be given once' });
    if (v === null && !documentedNullable(metatype, key)) throw inputError({ field: key, message: 'must not be null (omit it instead)' });
  }
}

function flatten(errors: ValidationError[], parent = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Nest's ValidationPipe (class-transformer + class-validator) behind the input guard. A body DTO
 * that carries a compiled JSON schema (`@AcceptedBySchema`, the hot send route) is first offered
 * to it: a body the schema accepts is one class-validator would pass unchanged, so it becomes the
 * DTO instance at once; anything else (an error, a multipart field that needs its transform)
 * takes the ordinary pipe, which decides and names the errors exactly as for any other route.
 */
export class AppValidationPipe implements PipeTransform<unknown, unknown> {
  private readonly pipe: ValidationPipe;

  constructor(options: ValidationPipeOptions) {
    this.pipe = new ValidationPipe(options);
  }

  /**
   * Synchronous where nothing is awaited (a custom parameter decorator's value, which Nest's pipe
   * passes through unchecked without `validateCustomDecorators`; a body its schema accepts), so
   * those parameters cost no promise of their own. A refusal is always a rejected promise.
   */
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    try {
      refuseHostileInput(value, metadata);
      const { metatype } = metadata;
      if (metadata.type === 'body' && metatype) {
        const accepts = schemaOf(metatype);
        if (accepts?.(value)) return Object.assign(new (metatype as new () => object)(), value);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.pipe.transform(value, metadata);
  }
}

/** The global pipe's options: strips nothing silently, rejects unknown fields, names each bad field. */
export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  exceptionFactory: (errors) => {
    const fields = flatten(errors);
    const summary = fields.map((f) => `${f.field}: ${f.messages.join(', ')}`).join('; ');
    return new AppError(ErrorCode.VALIDATION_FAILED, `Validation failed: ${summary}`, { fields });
  },
};

/** The single global pipe. */
export function createValidationPipe(): AppValidationPipe {
  return new AppValidationPipe(VALIDATION_OPTIONS);
}
