import * as nodeTest from 'node:test';

/**
 * `node:test` with a default timeout on every test and hook, so one stuck test fails alone,
 * with its name, instead of holding its file until the runner's per-file bound (see
 * docs/testing.md). Specs under test/ import `describe`, `it`, `before`… from here; a test
 * that needs longer says so with `{ timeout }`, which wins.
 *
 * On Node 20, `--test-timeout` given to `node --test` bounds each file as a whole (files run as
 * subtests of the runner) and is not applied to the tests inside the file, hence this module.
 */
export const TEST_TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS) || 180_000;
/** Hooks boot apps, simulators and databases: a little more room (TEST_HOOK_TIMEOUT_MS). */
export const HOOK_TIMEOUT_MS = Number(process.env.TEST_HOOK_TIMEOUT_MS) || 300_000;

type TestOptions = nodeTest.TestOptions;
type HookOptions = { signal?: AbortSignal; timeout?: number };

/** Adds the default timeout to `it`/`test` arguments: (fn) | (name, fn) | (options, fn) | (name, options, fn). */
function withTimeout(args: unknown[]): unknown[] {
  const optionsAt = args.findIndex((a) => typeof a === 'object' && a !== null);
  if (optionsAt >= 0) {
    const options = args[optionsAt] as TestOptions;
    if (options.timeout === undefined) args[optionsAt] = { ...options, timeout: TEST_TIMEOUT_MS };
    return args;
  }
  const fnAt = args.findIndex((a) => typeof a === 'function');
  if (fnAt >= 0) args.splice(fnAt, 0, { timeout: TEST_TIMEOUT_MS });
  return args;
}

function timed(base: typeof nodeTest.it): typeof nodeTest.it {
  const call = (run: (...a: unknown[]) => unknown) => (...args: unknown[]) => run(...withTimeout(args));
  const fn = call(base as (...a: unknown[]) => unknown);
  return Object.assign(fn, {
    skip: call(base.skip as (...a: unknown[]) => unknown),
    only: call(base.only as (...a: unknown[]) => unknown),
    todo: base.todo,
  }) as unknown as typeof nodeTest.it;
}

export const it = timed(nodeTest.it);
export const test = timed(nodeTest.test as unknown as typeof nodeTest.it) as unknown as typeof nodeTest.test;
export const describe = nodeTest.describe;
export const mock = nodeTest.mock;

const hook =
  (base: (fn: nodeTest.HookFn, options?: HookOptions) => void) =>
  (fn: nodeTest.HookFn, options: HookOptions = {}) =>
    base(fn, { ...options, timeout: options.timeout ?? HOOK_TIMEOUT_MS });

export const before = hook(nodeTest.before);
export const after = hook(nodeTest.after);
export const beforeEach = hook(nodeTest.beforeEach);
export const afterEach = hook(nodeTest.afterEach);
