import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';

/** Deepest nesting of objects and arrays a request may carry (no endpoint needs more than a few). */
export const MAX_INPUT_DEPTH = 32;

export interface InputProblem {
  field: string;
  message: string;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
type WellFormed = { isWellFormed?: () => boolean };

/** What is wrong with one string that no field of the API accepts, or null. */
export function stringProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  const wellFormed = (s as WellFormed).isWellFormed;
  if (wellFormed ? !wellFormed.call(s) : LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (no lone surrogates)';
  return null;
}

/**
 * The first thing in a decoded request value (body, query, path parameter) that no field of
 * the API accepts: a NUL character or a lone UTF-16 surrogate in any string or key (PostgreSQL
 * text and jsonb cannot store either), or nesting deeper than MAX_INPUT_DEPTH (which would
 * overflow the validator's recursion). Iterative, so hostile depth cannot overflow it either.
 */
export function findInputProblem(value: unknown, root: string): InputProblem | null {
  const stack: [unknown, string, number][] = [[value, root, 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = stringProblem(v);
      if (problem) return { field: path, message: problem };
      continue;
    }
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) continue;
    if (depth >= MAX_INPUT_DEPTH) return { field: path, message: `must not be nested more than ${MAX_INPUT_DEPTH} levels deep` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path || 'body'}[${i}]`, depth + 1]);
      continue;
    }
    for (const key of Object.keys(v)) {
      const keyProblem = stringProblem(key);
      if (keyProblem) return { field: path, message: `has a key that ${keyProblem}` };
      stack.push([(v as Record<string, unknown>)[key], path ? `${path}.${key}` : key, depth + 1]);
    }
  }
  return null;
}

/** The 400 for an input problem, shaped like the validation pipe's errors. */
export function inputError(problem: InputProblem): AppError {
  const field = problem.field || 'body';
  return new AppError(ErrorCode.VALIDATION_FAILED, `Validation failed: ${field}: ${problem.message}`, {
    fields: [{ field, messages: [problem.message] }],
  });
}

/** Throws VALIDATION_FAILED when `value` holds something no field accepts (see findInputProblem). */
export function assertSafeInput(value: unknown, root: string): void {
  const problem = findInputProblem(value, root);
  if (problem) throw inputError(problem);
}
