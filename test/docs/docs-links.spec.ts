import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from '../support/node-test';

/**
 * The documentation is a set of linked pages: README.md is the front door, docs/ holds the
 * details, every folder under src/ has a README. These tests keep every relative link and
 * #anchor between them resolvable, and keep product-internal names out of what users read.
 */

function repoRoot(): string {
  let dir = __dirname;
  // The checkout's root (not build/, which may hold a compiled copy of package.json).
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'docs')))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

function walk(dir: string, keep: (file: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, keep, out);
    else if (keep(full)) out.push(full);
  }
  return out;
}

/** The markdown users read: README.md, docs/*.md and the README of every source folder. */
export function markdownFiles(root: string): string[] {
  const isMd = (f: string) => f.endsWith('.md');
  return [join(root, 'README.md'), ...walk(join(root, 'docs'), isMd), ...walk(join(root, 'src'), isMd)].sort();
}

/** Markdown without fenced code blocks and inline code, where links are not links. */
function prose(markdown: string): string {
  return markdown
    .replace(/^ {0,3}(```|~~~)[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^ {0,3}(```|~~~)[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm, '');
  for (const [, heading] of withoutFences.matchAll(/^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const text = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images keep their text
      .replace(/<[^>]+>/g, '')
      .replace(/[`*~]/g, '');
    const slug = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  for (const [, id] of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id);
  return anchors;
}

/** Targets of inline links/images and reference definitions, code excluded. */
export function linksOf(markdown: string): string[] {
  const text = prose(markdown);
  const links: string[] = [];
  for (const [, target] of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push(target);
  for (const [, target] of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)) links.push(target);
  return links;
}

/** Every relative link or #anchor in `files` that does not resolve, as "file: target (why)". */
export function brokenLinks(root: string, files: string[]): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (file: string) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(readFileSync(file, 'utf8')));
    return anchorCache.get(file)!;
  };
  for (const file of files) {
    for (const target of linksOf(readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
      const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
      const path = decodeURIComponent(rawPath);
      const dest = path ? resolve(dirname(file), path) : file;
      const where = `${relative(root, file)}: ${target}`;
      if (!existsSync(dest)) {
        problems.push(`${where} (no such file)`);
        continue;
      }
      if (anchor !== undefined && dest.endsWith('.md') && !anchorsIn(dest).has(decodeURIComponent(anchor).toLowerCase())) {
        problems.push(`${where} (no heading #${anchor} in ${relative(root, dest)})`);
      }
    }
  }
  return problems;
}

/** Names of internal planning documents that mean nothing to users. */
const INTERNAL_WORDS = /\bseed[ _-]?0\d\d\b|\bseed document|\bseed00\d/i;

export function internalWordHits(root: string, dirs: string[]): string[] {
  const hits: string[] = [];
  const text = (f: string) => /\.(ts|md|mjs|js|json|ya?ml)$/.test(f);
  const files = dirs.flatMap((d) => {
    const full = join(root, d);
    if (!existsSync(full)) return [];
    return statSync(full).isDirectory() ? walk(full, text) : [full];
  });
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (INTERNAL_WORDS.test(line)) hits.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  return hits;
}

describe('documentation links', () => {
  const root = repoRoot();

  it('README.md, docs/ and every src/ folder README link only to files and headings that exist', () => {
    const files = markdownFiles(root);
    assert.ok(files.some((f) => f.endsWith(join('docs', 'configuration.md'))), 'docs/ is found');
    assert.deepEqual(brokenLinks(root, files), []);
  });

  it('README.md links every page under docs/', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const linked = new Set(linksOf(readme).map((l) => l.split('#')[0]));
    const pages = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'));
    assert.deepEqual(pages.filter((p) => !linked.has(`docs/${p}`)), []);
  });

  it('every folder under src/ opens with a README.md', () => {
    const dirs: string[] = [];
    const collect = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) {
          dirs.push(full);
          collect(full);
        }
      }
    };
    collect(join(root, 'src'));
    // Top-level modules and the shared folders (common/*, whatsapp/*); dto/entities/… belong to their module.
    const owners = dirs.filter((d) => {
      const rel = relative(join(root, 'src'), d).split(/[\\/]/);
      return rel.length === 1 || (rel.length === 2 && (rel[0] === 'common' || rel[0] === 'whatsapp'));
    });
    assert.deepEqual(
      owners.filter((d) => !existsSync(join(d, 'README.md'))).map((d) => relative(root, d)),
      [],
    );
  });

  it('names no internal planning documents in code, docs or tests', () => {
    assert.deepEqual(internalWordHits(root, ['README.md', 'docs', 'src', 'test', 'bench', 'scripts']).filter((h) => !h.startsWith(join('test', 'docs'))), []);
  });

  it('reports a missing file, a missing heading and an internal word (the checks can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-links-'));
    mkdirSync(join(dir, 'docs'));
    writeFileSync(
      join(dir, 'README.md'),
      [
        '# Front door',
        'See [ok](docs/a.md#set-up-the-first-session), [gone](docs/missing.md), [bad anchor](docs/a.md#nowhere),',
        '[self](#front-door), [web](https://example.com/x.md) and `[code](docs/ignored.md)`.',
        '```',
        '[fenced](docs/also-ignored.md)',
        '```',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'docs', 'a.md'), '# A\n\n## Set up the `first` session\n\nAs the seed 004 says.\n');
    const problems = brokenLinks(dir, [join(dir, 'README.md'), join(dir, 'docs', 'a.md')]);
    assert.deepEqual(problems, [
      'README.md: docs/missing.md (no such file)',
      'README.md: docs/a.md#nowhere (no heading #nowhere in docs/a.md)',
    ]);
    assert.deepEqual(internalWordHits(dir, ['docs']), ['docs/a.md:5: As the seed 004 says.']);
  });

  it('derives anchors the way GitHub does', () => {
    const anchors = anchorsOf('# Secrets at rest and the master key\n## `npm run token`\n## Retries & backoff (5xx)\n## Usage\n## Usage\n');
    assert.deepEqual([...anchors], ['secrets-at-rest-and-the-master-key', 'npm-run-token', 'retries--backoff-5xx', 'usage', 'usage-1']);
  });
});
