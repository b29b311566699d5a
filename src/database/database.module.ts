import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions, runMigrations } from './data-source';
import { EmbeddedPostgres } from './embedded-postgres';

@Global()
@Module({ providers: [EmbeddedPostgres], exports: [EmbeddedPostgres] })
class EmbeddedPostgresModule {}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [EmbeddedPostgresModule],
      inject: [AppConfig, EmbeddedPostgres],
      useFactory: async (config: AppConfig, embedded: EmbeddedPostgres) => {
        const { url, embedded: isEmbedded, poolSize, embeddedDir } = config.db;
        const resolvedUrl = url ?? (await embedded.start(embeddedDir));
        return {
          ...dataSourceOptions(resolvedUrl, { poolSize, embedded: isEmbedded }),
          migrationsRun: config.db.runMigrations,
          retryAttempts: 3,
          retryDelay: 1000,
        };
      },
      // Migrations run here, under an advisory lock, before any provider can touch a table.
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource({ ...options!, migrationsRun: false }).initialize();
        if (options!.migrationsRun) {
          const applied = await runMigrations(dataSource);
          if (applied.length) new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
        }
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
