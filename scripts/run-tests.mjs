#!/usr/bin/env node
// Compiles the whole tree (src, migrations, test) with tsc, then runs every compiled
// *.spec.js with Node's own test runner. Baileys is ESM-only; Node >= 20.19 loads it
// through require(esm), which is why the suite runs on node:test rather than Jest.
//
//   npm test                 all suites
//   npm test -- unit         only files under src/ (unit specs next to their code)
//   npm test -- e2e wa-sim   only paths containing one of the words
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

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
let files = [...walk(join(build, 'src')), ...walk(join(build, 'test'))].filter(hasSource).sort();
if (filters.length) {
  files = files.filter((f) => {
    const rel = relative(build, f);
    return filters.some((w) => (w === 'unit' ? rel.startsWith('src/') : rel.includes(w)));
  });
}
if (!files.length) {
  console.error('no test files matched', filters);
  process.exit(1);
}

const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(2, availableParallelism()));
const run = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'test' } },
);
process.exit(run.status ?? 1);
