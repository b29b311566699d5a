import { Column, CreateDateColumn, UpdateDateColumn, type ColumnOptions, type ColumnType } from 'typeorm';

/**
 * Column decorators for the types the schema uses, composed from TypeORM's own: each fixes the
 * PostgreSQL type and takes TypeORM's usual options (`name`, `nullable`, `default`, …). They
 * describe the columns the migrations create; they never change them (`synchronize` is off).
 */
type Options = Omit<ColumnOptions, 'type'>;

const typed =
  (type: ColumnType) =>
  (options: Options = {}): PropertyDecorator =>
    Column({ type, ...options });

export const TextColumn = typed('text');
export const IntColumn = typed('int');
export const BooleanColumn = typed('boolean');
export const UuidColumn = typed('uuid');
export const TimestampColumn = typed('timestamptz');
export const JsonbColumn = typed('jsonb');

/** `bigint` read as a JS number: sequence numbers and byte sizes stay far below 2^53. */
export const BigintNumberColumn = (options: Options = {}): PropertyDecorator =>
  Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) }, ...options });

/** `created_at timestamptz NOT NULL DEFAULT now()`, set by TypeORM on insert. */
export const CreatedAtColumn = (): PropertyDecorator => CreateDateColumn({ type: 'timestamptz', name: 'created_at' });

/** `updated_at timestamptz NOT NULL DEFAULT now()`, set by TypeORM on every save. */
export const UpdatedAtColumn = (): PropertyDecorator => UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' });
