import { ValidationError, ValidationPipe, type ArgumentMetadata, type ValidationPipeOptions } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { flatInstance } from './flat-instance';
import { ValidationPlan } from './validation-plan';

function flatten(errors: ValidationError[], parent = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Nest's ValidationPipe; valid objects are recognised by a cached plan (see ValidationPlan).
 * A flat body that the plan accepts is built without class-transformer (see flatInstance)
 * and returned at once: for it, the full pipe would build the same instance, find the same
 * verdict and return it unchanged. Everything else takes the full pipe.
 */
export class AppValidationPipe extends ValidationPipe {
  /**
   * Whether the shortcut may apply at all, fixed by the options: class-transformer copies
   * values as they are only with transform on, no expected type, and no implicit conversion
   * or exposure rules.
   */
  private readonly copiesPlainValues: boolean;

  constructor(options?: ValidationPipeOptions) {
    super(options);
    const transformOptions = Object.entries(this.transformOptions ?? {});
    this.copiesPlainValues =
      this.isTransformEnabled && !this.expectedType && transformOptions.every(([key, v]) => key === 'enableImplicitConversion' && v === false);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    if (this.copiesPlainValues && metatype && this.toValidate(metadata)) {
      const instance = flatInstance(metatype, value);
      if (instance && ValidationPlan.accepts(instance, this.validatorOptions)) return instance;
    }
    return super.transform(value, metadata);
  }

  protected override validate(object: object, options?: ValidatorOptions): ReturnType<ValidationPipe['validate']> {
    return ValidationPlan.accepts(object, options) ? [] : super.validate(object, options);
  }
}

/** The single global pipe: strips nothing silently, rejects unknown fields, names each bad field. */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const summary = fields.map((f) => `${f.field}: ${f.messages.join(', ')}`).join('; ');
      return new AppError(ErrorCode.VALIDATION_FAILED, `Validation failed: ${summary}`, { fields });
    },
  });
}
