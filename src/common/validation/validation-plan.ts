import { getMetadataStorage, ValidationTypes, type ValidationArguments, type ValidatorOptions } from 'class-validator';

type Rule = (object: object, value: unknown) => boolean;

interface PropertyPlan {
  name: string;
  /** IsOptional / ValidateIf: when one is false, the property is not validated at all. */
  conditions: Rule[];
  /** Every constraint of the property, in class-validator's order; all must hold. */
  checks: Rule[];
  /** Nested or promise validation: only class-validator may judge a defined value. */
  needsFullValidation: boolean;
}

/**
 * A precomputed run of class-validator's own constraints over one DTO class, for the common
 * case: every known property passes and no unknown one is present. It answers only "valid"
 * or "not sure"; "not sure" (a failing constraint, an unknown key, a nested object, an async
 * constraint, options it does not model) hands the object to class-validator, which decides
 * and writes the errors. So a verdict is always class-validator's; valid requests just skip
 * its per-call metadata lookup, which scans every registered class and allocates an error
 * object per property even when nothing is wrong.
 */
export class ValidationPlan {
  private static readonly plans = new WeakMap<Function, ValidationPlan | null>();

  private constructor(
    private readonly properties: PropertyPlan[],
    private readonly known: Set<string>,
  ) {}

  /** Whether `object` certainly passes class-validator with `options`. */
  static accepts(object: object, options: ValidatorOptions = {}): boolean {
    if (options.groups?.length || options.always || options.strictGroups) return false;
    if (options.skipMissingProperties || options.skipNullProperties || options.skipUndefinedProperties) return false;
    const target = object.constructor;
    if (typeof target !== 'function') return false;
    let plan = this.plans.get(target);
    if (plan === undefined) {
      plan = ValidationPlan.build(target);
      this.plans.set(target, plan);
    }
    return plan !== null && plan.run(object, options);
  }

  private run(object: object, options: ValidatorOptions): boolean {
    if (options.whitelist) {
      for (const key of Object.keys(object)) if (!this.known.has(key)) return false;
    }
    const record = object as Record<string, unknown>;
    for (const property of this.properties) {
      const value = record[property.name];
      let validate = true;
      for (const condition of property.conditions) if (!condition(object, value)) validate = false;
      if (!validate) continue;
      if (property.needsFullValidation && value !== undefined) return false;
      for (const check of property.checks) if (!check(object, value)) return false;
    }
    return true;
  }

  private static build(target: Function): ValidationPlan | null {
    const storage = getMetadataStorage();
    const metadatas = storage.getTargetValidationMetadatas(target, '', false, false, undefined);
    if (!metadatas.length) return null;
    const byProperty = storage.groupByPropertyName(metadatas);
    const properties: PropertyPlan[] = [];
    for (const [name, list] of Object.entries(byProperty)) {
      const property: PropertyPlan = { name, conditions: [], checks: [], needsFullValidation: false };
      // class-validator runs IS_DEFINED constraints before the others.
      const ordered = [...list.filter((m) => m.type === ValidationTypes.IS_DEFINED), ...list.filter((m) => m.type !== ValidationTypes.IS_DEFINED)];
      for (const metadata of ordered) {
        switch (metadata.type) {
          case ValidationTypes.CONDITIONAL_VALIDATION:
            property.conditions.push(metadata.constraints[0] as Rule);
            break;
          case ValidationTypes.WHITELIST:
            break;
          case ValidationTypes.NESTED_VALIDATION:
          case ValidationTypes.PROMISE_VALIDATION:
            property.needsFullValidation = true;
            break;
          case ValidationTypes.IS_DEFINED:
          case ValidationTypes.CUSTOM_VALIDATION: {
            for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
              if (constraint.async) return null;
              const each = metadata.each;
              const validateIf = metadata.validateIf;
              property.checks.push((object, value) => {
                if (validateIf && !validateIf(object, value)) return true;
                const args: ValidationArguments = {
                  targetName: object.constructor?.name,
                  property: metadata.propertyName,
                  object,
                  value,
                  constraints: metadata.constraints,
                };
                if (each && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
                  const items = value instanceof Map ? [...value.values()] : [...value];
                  return items.every((item) => constraint.instance.validate(item, args) === true);
                }
                return constraint.instance.validate(value, args) === true;
              });
            }
            break;
          }
          default:
            return null;
        }
      }
      properties.push(property);
    }
    return new ValidationPlan(properties, new Set(Object.keys(byProperty)));
  }
}
