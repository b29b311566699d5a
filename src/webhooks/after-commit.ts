import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  TransactionStartEvent,
} from 'typeorm';

interface Pending {
  /** Nesting level (1 = the outer transaction, 2 = its first savepoint, …) the callback belongs to. */
  depth: number;
  run: () => void;
}

/**
 * Runs callbacks once the transaction of an EntityManager commits, and drops them when it
 * rolls back (a savepoint rollback drops only what was registered inside it). Without a
 * transaction the callback runs at once. Used to wake the dispatcher and feed the live
 * stream only with events whose rows really exist.
 *
 * Built on TypeORM's documented subscriber events only: every `startTransaction`,
 * `commitTransaction` and `rollbackTransaction` of a query runner, the nested ones (savepoints)
 * included, broadcasts one after-start / after-commit / after-rollback event, so the nesting
 * level is counted here from those events rather than read from the runner.
 */
@Injectable()
export class AfterCommit implements EntitySubscriberInterface, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AfterCommit.name);
  private readonly depth = new WeakMap<QueryRunner, number>();
  private readonly pending = new WeakMap<QueryRunner, Pending[]>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  onModuleDestroy(): void {
    const i = this.dataSource.subscribers.indexOf(this);
    if (i >= 0) this.dataSource.subscribers.splice(i, 1);
  }

  run(manager: EntityManager | undefined, callback: () => void): void {
    const runner = manager?.queryRunner;
    // A transaction that began before this subscriber was registered counts as one level.
    const depth = runner?.isTransactionActive ? Math.max(1, this.depth.get(runner) ?? 0) : 0;
    if (!runner || depth === 0) return this.invoke(callback);
    const list = this.pending.get(runner) ?? [];
    list.push({ depth, run: callback });
    this.pending.set(runner, list);
  }

  afterTransactionStart(event: TransactionStartEvent): void {
    this.depth.set(event.queryRunner, (this.depth.get(event.queryRunner) ?? 0) + 1);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    const depth = this.leave(runner);
    const list = this.pending.get(runner);
    if (!list) return;
    if (depth > 0) {
      // A released savepoint: what it registered now belongs to the enclosing level.
      for (const p of list) if (p.depth > depth) p.depth = depth;
      return;
    }
    this.pending.delete(runner);
    for (const p of list) this.invoke(p.run);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const runner = event.queryRunner;
    const depth = this.leave(runner);
    const list = this.pending.get(runner);
    if (!list) return;
    const kept = depth > 0 ? list.filter((p) => p.depth <= depth) : [];
    if (kept.length) this.pending.set(runner, kept);
    else this.pending.delete(runner);
  }

  /** One level of the runner's transaction ended; returns the level left open (0: none). */
  private leave(runner: QueryRunner): number {
    const depth = Math.max(0, (this.depth.get(runner) ?? 1) - 1);
    if (depth > 0) this.depth.set(runner, depth);
    else this.depth.delete(runner);
    return depth;
  }

  private invoke(callback: () => void): void {
    try {
      callback();
    } catch (err) {
      this.logger.error({ err }, 'After-commit callback failed');
    }
  }
}
