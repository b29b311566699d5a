#!/usr/bin/env node
// Compiles the whole tree (src, migrations, test) with tsc, migrates the template databases
// once, then runs the compiled *.spec.js files with Node's own test runner. Baileys is
// ESM-only; Node >= 20.19 loads it through require(esm), which is why the suite runs on
// node:test rather than Jest.
//
//   npm test                        every layer
//   npm test -- unit                src/** and test/unit: rules with their collaborators faked, no database
//   npm test -- integration         test/integration: repositories and services on a real database
//   npm test -- e2e                 test/e2e: the whole app over HTTP, server processes, real Baileys
//   npm test -- wa-sim              the WhatsApp simulator's own specs
//   npm test -- integration queue   a layer, narrowed to paths containing one of the other words
//   npm test -- webhooks            any path containing a word
//   npm test -- dashboard web-ui    the web dashboard: its unit specs, serving, the browser test
//
// Timeouts (docs/testing.md): every test has TEST_TIMEOUT_MS (default 180 s) and every hook
// TEST_HOOK_TIMEOUT_MS (300 s), set by test/support/node-test.ts; every file has TEST_FILE_TIMEOUT_MS (default 15 min, Node's
// --test-timeout, which on Node 20 bounds a file as a whole); --test-force-exit ends a file's
// process once its tests are done, whatever handles they left open.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const LAYERS = {
  unit: (rel) => rel.startsWith('src/') || rel.startsWith('test/unit/'),
  integration: (rel) => rel.startsWith('test/integration/'),
  e2e: (rel) => rel.startsWith('test/e2e/'),
  'wa-sim': (rel) => rel.startsWith('test/wa-sim/'),
};
const args = process.argv.slice(2);
const layers = args.filter((w) => w in LAYERS);
const words = args.filter((w) => !(w in LAYERS));

const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.spec.js')) out.push(full);
  }
  return out;
}

const build = join(root, 'build');
// Compiled specs whose source was moved or deleted stay in build/ (tsc is incremental): skip them.
const hasSource = (f) => existsSync(join(root, relative(build, f)).replace(/\.js$/, '.ts'));
const files = [...walk(join(build, 'src')), ...walk(join(build, 'test'))]
  .filter(hasSource)
  .sort()
  .filter((f) => {
    const rel = relative(build, f);
    return (!layers.length || layers.some((l) => LAYERS[l](rel))) && (!words.length || words.some((w) => rel.includes(w)));
  });
if (!files.length) {
  console.error('no test files matched', args);
  process.exit(1);
}

// The dashboard (web/): its own type check, and its build for the specs that serve or drive it,
// rebuilt when a source under web/ is newer than the build (docs/dashboard.md#tests).
const webSpec = (rel) => rel.startsWith('test/unit/web/') || /^test\/e2e\/(web-ui|dashboard)/.test(rel);
if (files.some((f) => webSpec(relative(build, f)))) {
  const web = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'web/tsconfig.json')], { stdio: 'inherit' });
  if (web.status !== 0) process.exit(web.status ?? 1);
  const built = join(root, 'dist/web/index.html');
  const newest = (dir) =>
    readdirSync(dir).reduce((m, name) => {
      const full = join(dir, name);
      return Math.max(m, statSync(full).isDirectory() ? newest(full) : statSync(full).mtimeMs);
    }, 0);
  if (!existsSync(built) || newest(join(root, 'web')) > statSync(built).mtimeMs) {
    const vite = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, 'web/vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit' });
    if (vite.status !== 0) process.exit(vite.status ?? 1);
  }
}

// Unit specs need no database; anything else gets the run's templates, migrated once here.
const needsDatabase = files.some((f) => !LAYERS.unit(relative(build, f)));
const require = createRequire(import.meta.url);
// The templates are migrated here, quietly: the test processes report what matters.
if (needsDatabase) require('@nestjs/common').Logger.overrideLogger(['error']);
const templates = needsDatabase ? await require(join(build, 'test/support/test-database.js')).createTemplates() : undefined;

const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(2, availableParallelism()));
const fileTimeout = process.env.TEST_FILE_TIMEOUT_MS ?? String(15 * 60_000);
let status = 1;
try {
  const run = spawnSync(
    process.execPath,
    ['--test', `--test-concurrency=${concurrency}`, `--test-timeout=${fileTimeout}`, '--test-force-exit', '--test-reporter=spec', ...files],
    { stdio: 'inherit', env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'test', ...templates?.env } },
  );
  status = run.status ?? 1;
} finally {
  await templates?.dispose();
}
process.exit(status);
