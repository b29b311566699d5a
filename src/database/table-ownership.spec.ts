import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import * as ts from 'typescript';

/**
 * One owner per table: every table belongs to the module (top-level folder of `src/`) whose
 * entity declares it, and only files of that module name its entity in a call (a repository,
 * `forFeature`, a query builder) or its table in SQL. Other modules go through the owner's
 * exported service or query, passing their transaction in when they need to share it.
 */

/** Tables without an entity, and the module whose code owns them. */
const TABLES_WITHOUT_ENTITY: Record<string, string> = { event_outbox: 'webhooks', session_link_code: 'sessions' };

/** Paths (relative to the repository) that may touch any table: schema and data migrations. */
const ALLOWED = ['migrations/'];

const root = findRoot(__dirname);

function findRoot(from: string): string {
  let dir = from;
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'database', 'entities.ts')))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no repository root above ${from}`);
    dir = up;
  }
  return dir;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sourceFiles(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** `src/<module>/…` → `<module>`; files directly under `src/` belong to the app itself. */
function moduleOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] !== 'src') return parts[0];
  return parts.length > 2 ? parts[1] : 'app';
}

function rel(path: string): string {
  return relative(root, path).split(sep).join('/');
}

export interface Ownership {
  /** Entity class name → owning module. */
  entities: Map<string, string>;
  /** Table name → owning module. */
  tables: Map<string, string>;
}

/** The owners, read from `src/database/entities.ts` (the entity list) and each entity's `@Entity('table')`. */
export function readOwnership(): Ownership {
  const list = readFileSync(join(root, 'src/database/entities.ts'), 'utf8');
  const entities = new Map<string, string>();
  const tables = new Map<string, string>();
  for (const [, name, from] of list.matchAll(/import \{ (\w+) \} from '(\.[^']+)'/g)) {
    const file = rel(join(root, 'src/database', `${from}.ts`));
    const owner = moduleOf(file);
    entities.set(name, owner);
    const source = readFileSync(join(root, file), 'utf8');
    const table = /@Entity\(\s*'(\w+)'/.exec(source)?.[1];
    assert.ok(table, `${file} declares no @Entity('table')`);
    tables.set(table, owner);
  }
  for (const [table, owner] of Object.entries(TABLES_WITHOUT_ENTITY)) tables.set(table, owner);
  return { entities, tables };
}

/** Every string and template literal of a file, a template's substitutions as `${}`. */
function literals(sf: ts.SourceFile): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      out.push({ text: node.text, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
    } else if (ts.isTemplateExpression(node)) {
      const text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join('${}');
      out.push({ text, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const SQL = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|FROM|JOIN)\s+"?([a-z_][a-z0-9_]*)"?/g;

export interface Violation {
  file: string;
  line: number;
  what: string;
}

/**
 * What one file does to tables of other modules: entity classes passed to calls or
 * decorators (`@InjectRepository(X)`, `getRepository(X)`, `forFeature([X])`,
 * `manager.insert(X, …)`) and tables named in SQL (writes and reads).
 */
export function findViolations(file: string, source: string, own: Ownership): Violation[] {
  if (ALLOWED.some((prefix) => file.startsWith(prefix))) return [];
  const module = moduleOf(file);
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const found: Violation[] = [];
  const line = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const checkEntity = (node: ts.Expression): void => {
    if (ts.isArrayLiteralExpression(node)) return node.elements.forEach(checkEntity);
    if (!ts.isIdentifier(node)) return;
    const owner = own.entities.get(node.text);
    if (owner && owner !== module) found.push({ file, line: line(node), what: `uses ${node.text} (owned by ${owner})` });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) node.arguments.forEach(checkEntity);
    // A module's repositories are its own: others call its service.
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && /\.repository$/.test(node.moduleSpecifier.text)) {
      const target = rel(join(root, dirname(file), node.moduleSpecifier.text));
      if (moduleOf(target) !== module) found.push({ file, line: line(node), what: `imports ${target} (a repository of ${moduleOf(target)})` });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  for (const { text, line: at } of literals(sf)) {
    for (const [, verb, table] of text.matchAll(SQL)) {
      const owner = own.tables.get(table);
      if (owner && owner !== module) {
        found.push({ file, line: at, what: `${verb.replace(/\s+/g, ' ').toUpperCase()} ${table} (owned by ${owner})` });
      }
    }
  }
  return found;
}

describe('Table ownership', () => {
  const own = readOwnership();

  it('gives every table created by a migration exactly one owning module', () => {
    const created = new Set<string>();
    for (const file of sourceFiles(join(root, 'migrations'))) {
      for (const [, table] of readFileSync(file, 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?/g)) created.add(table);
    }
    assert.ok(created.size > 10, 'migrations were found');
    const unowned = [...created].filter((t) => !own.tables.has(t));
    assert.deepEqual(unowned, [], 'a new table needs an entity in src/database/entities.ts or an entry in TABLES_WITHOUT_ENTITY');
    for (const [table, owner] of own.tables) assert.ok(existsSync(join(root, 'src', owner)), `${table}: owner ${owner} is a folder of src/`);
  });

  it('finds no module that touches another module’s table', () => {
    const violations = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'migrations'))].flatMap((path) =>
      findViolations(rel(path), readFileSync(path, 'utf8'), own),
    );
    assert.deepEqual(
      violations.map((v) => `${v.file}:${v.line} ${v.what}`),
      [],
      'call the owning module’s exported service or query instead (see docs/architecture.md, "Who owns which table")',
    );
  });

  it('recognises the ways a module reaches into another’s table', () => {
    const source = `
      import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
      import { MessagesRepository } from '../messages/messages.repository';
      // UPDATE contact in a comment is not a statement.
      @Module({ imports: [TypeOrmModule.forFeature([MessageEntity, ContactEntity])] })
      class M {}
      class S {
        constructor(@InjectRepository(ContactEntity) readonly contacts: Repository<ContactEntity>) {}
        async run(tx: EntityManager, id: string) {
          await tx.getRepository(SessionEntity).update({ id }, { status: 'READY' });
          await tx.insert(WebhookEntity, {});
          await tx.query(\`UPDATE message SET wa_proto = $1 WHERE id = \${id}\`);
          await tx.query('DELETE FROM "wa_auth_key" WHERE session_id = $1', [id]);
          await tx.query(\`SELECT count(*) FROM webhook_delivery d JOIN session s ON s.id = d.session_id\`);
          await tx.query('INSERT INTO event_outbox (x) VALUES (1)');
        }
      }`;
    const found = findViolations('src/dashboard/example.ts', source, own).map((v) => v.what);
    assert.deepEqual(found, [
      'imports src/messages/messages.repository (a repository of messages)',
      'uses MessageEntity (owned by messages)',
      'uses ContactEntity (owned by contacts)',
      'uses ContactEntity (owned by contacts)',
      'uses SessionEntity (owned by sessions)',
      'uses WebhookEntity (owned by webhooks)',
      'UPDATE message (owned by messages)',
      'DELETE FROM wa_auth_key (owned by whatsapp)',
      'FROM webhook_delivery (owned by webhooks)',
      'JOIN session (owned by sessions)',
      'INSERT INTO event_outbox (owned by webhooks)',
    ]);
    assert.deepEqual(findViolations('src/messages/example.ts', 'db.query(`UPDATE message SET status = $1`)', own), [], 'the owner may');
    assert.deepEqual(findViolations('migrations/1-Example.ts', "q.query('UPDATE contact SET opt_in = NULL')", own), [], 'migrations may');
  });
});
