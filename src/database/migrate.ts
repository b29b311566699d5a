import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions, runMigrations } from './data-source';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL and exits. */
async function main() {
  const config = new AppConfig(process.env);
  if (!config.db.url) throw new Error('DATABASE_URL is required to run migrations from the CLI');
  const ds = await new DataSource(dataSourceOptions(config.db.url, { poolSize: 1, embedded: false })).initialize();
  try {
    const applied = await runMigrations(ds);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Nothing to apply\n');
  } finally {
    await ds.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
