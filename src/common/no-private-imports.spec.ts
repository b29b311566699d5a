import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { preProcessFile } from 'typescript';

const root = join(__dirname, '..', '..', '..');
/** Folders a package keeps its build or internals in; never part of a public entry point. */
const PRIVATE_SEGMENT = /(^|\/)(cjs|esm|dist|lib|build|src|internal|types)(\/|$)/;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** `pkg/sub` → ['pkg', './sub']; `@scope/pkg/sub` → ['@scope/pkg', './sub']. */
function split(specifier: string): [string, string] {
  const parts = specifier.split('/');
  const n = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(n).join('/');
  return [parts.slice(0, n).join('/'), rest ? `./${rest}` : '.'];
}

function exportedSubpaths(pkg: string): Set<string> {
  const manifest = JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { exports?: unknown };
  const exports = manifest.exports;
  if (!exports || typeof exports !== 'object') return new Set(['.']);
  const keys = Object.keys(exports);
  return new Set(keys.some((k) => k.startsWith('.')) ? keys.filter((k) => !k.includes('*')) : ['.']);
}

describe('Imports of libraries', () => {
  it('reach only entry points a package declares (no dist/, cjs/, lib/ internals, no wildcard deep paths)', () => {
    const offenders: string[] = [];
    for (const file of sources(join(root, 'src'))) {
      // TypeScript's own scanner: imports, type imports, require() and import(), not look-alike strings.
      for (const { fileName: specifier } of preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const [pkg, subpath] = split(specifier);
        if (subpath === '.') continue;
        if (PRIVATE_SEGMENT.test(subpath) || !exportedSubpaths(pkg).has(subpath)) offenders.push(`${relative(root, file)}: ${specifier}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
