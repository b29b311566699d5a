import { ValidationError, ValidationPipe } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { ValidationPlan } from './validation-plan';

function flatten(errors: ValidationError[], parent = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Nest's ValidationPipe; valid objects are recognised by a cached plan (see ValidationPlan). */
export class AppValidationPipe extends ValidationPipe {
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
