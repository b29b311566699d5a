import Ajv, { type JSONSchemaType, type SchemaObject, type ValidateFunction } from 'ajv';

/** One compiler for every schema; `unicode` (the default) counts code points, like class-validator's lengths. */
const ajv = new Ajv({ allErrors: false, strict: true });

const compiled = new WeakMap<Function, ValidateFunction>();

/**
 * Gives a request DTO a compiled JSON schema (ajv) that recognises its common valid bodies
 * quickly. The schema must accept nothing the class's class-validator rules refuse (it may
 * refuse more: what it refuses goes through class-validator, which decides and names the
 * errors). The global validation pipe consults it; see AppValidationPipe.
 */
export function AcceptedBySchema<T>(schema: JSONSchemaType<T> | SchemaObject): ClassDecorator {
  const validate = ajv.compile(schema);
  return (target) => {
    compiled.set(target, validate);
  };
}

/** The compiled schema of a DTO class, if it has one. */
export function schemaOf(metatype: Function): ValidateFunction | undefined {
  return compiled.get(metatype);
}
