import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

/**
 * Every package that code under src/ imports is declared in package.json: `dependencies` for
 * what the server runs (type-only imports included, since `npm start` compiles them), and
 * `devDependencies` is enough for specs. A package that is only there because another one
 * pulled it in disappears the day that one stops needing it.
 */
const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The package a module specifier names (`@scope/name/sub` → `@scope/name`), or null for relative paths and Node builtins. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(name) ? null : name;
}

/** Imports, `export … from`, `require()` and `import()` of `source`, type-only ones included. */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** `file: package` for each package a file imports that its section of package.json does not declare. */
function undeclared(files: { path: string; source: string }[], declared: typeof pkg): string[] {
  const problems: string[] = [];
  for (const { path, source } of files) {
    const allowed = path.endsWith('.spec.ts') ? { ...declared.dependencies, ...declared.devDependencies } : declared.dependencies;
    for (const name of new Set(importsOf(source).map(packageOf))) {
      if (name && !(name in allowed)) problems.push(`${path}: ${name}`);
    }
  }
  return problems;
}

describe('declared dependencies', () => {
  it('declares every package that src/ imports', () => {
    const files = sourceFiles(join(root, 'src')).map((f) => ({ path: relative(root, f), source: readFileSync(f, 'utf8') }));
    assert.ok(files.length > 100, `read ${files.length} files`);
    assert.deepEqual(undeclared(files, pkg), []);
  });

  it('catches value, type-only, re-exported, required and dynamically imported packages', () => {
    const source = [
      "import { a } from 'left-pad';",
      "import type { B } from '@scope/types-only/deep/path';",
      "export { c } from 'reexported';",
      "const d = require('required');",
      "const e = await import('dynamic');",
      "import { readFile } from 'node:fs';",
      "import { join } from 'path';",
      "import { local } from './local';",
      "import { ok } from 'declared';",
    ].join('\n');
    const declared = { dependencies: { declared: '1' }, devDependencies: { 'left-pad': '1' } };
    assert.deepEqual(undeclared([{ path: 'src/x.ts', source }], declared), [
      'src/x.ts: left-pad',
      'src/x.ts: @scope/types-only',
      'src/x.ts: reexported',
      'src/x.ts: required',
      'src/x.ts: dynamic',
    ]);
    assert.deepEqual(undeclared([{ path: 'src/x.spec.ts', source }], declared), [
      'src/x.spec.ts: @scope/types-only',
      'src/x.spec.ts: reexported',
      'src/x.spec.ts: required',
      'src/x.spec.ts: dynamic',
    ]);
  });
});
