import assert from 'node:assert/strict';
import { openTestDataSource, testDatabaseKinds, type TestDataSource } from '../support/test-database';
import { after, before, describe, it } from '../support/node-test';

/**
 * The entities describe the schema the migrations create (`synchronize` is never used): every
 * column an entity declares exists in the migrated database with the same type, nullability
 * and presence of a default. A column decorator that drifted from a migration fails here.
 */
for (const kind of testDatabaseKinds()) describe(`entity metadata matches the migrated schema (${kind})`, () => {
  let db: TestDataSource;

  before(async () => {
    db = await openTestDataSource(kind);
  });
  after(async () => {
    await db?.close();
  });

  it('every entity column exists with its type, nullability and default', async () => {
    const rows: { table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string; column_default: string | null }[] =
      await db.dataSource.query(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public'`);
    const inDatabase = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
    const driver = db.dataSource.driver;
    let checked = 0;
    for (const entity of db.dataSource.entityMetadatas) {
      for (const column of entity.columns) {
        const where = `${entity.tableName}.${column.databaseName}`;
        const actual = inDatabase.get(where);
        assert.ok(actual, `${where} is declared by ${entity.targetName} but no migration creates it`);
        const type = driver.normalizeType(column);
        if (column.isArray) assert.equal(actual.udt_name, `_${type}`, `${where}: array type`);
        else assert.equal(actual.data_type, type, `${where}: type`);
        assert.equal(actual.is_nullable === 'YES', column.isNullable, `${where}: nullable`);
        // A default the entity relies on (created_at, active, settings, …) must be the database's too.
        if (column.default !== undefined || column.isCreateDate || column.isUpdateDate) assert.ok(actual.column_default !== null, `${where}: default`);
        checked++;
      }
    }
    assert.ok(checked > 100, `only ${checked} columns checked`);
  });
});
