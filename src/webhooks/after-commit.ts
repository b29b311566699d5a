import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';

interface Pending {
  depth: number;
  run: () => void;
}

/** TypeORM keeps the nesting depth (savepoints) on the runner without typing it publicly. */
function depthOf(runner: QueryRunner): number {
  return (runner as unknown as { transactionDepth?: number }).transactionDepth ?? 0;
}

/**
 * Runs callbacks once the transaction of an EntityManager commits, and drops them when it
 * rolls back (a savepoint rollback drops only what was registered inside it). Without a
 * transaction the callback runs at once. Used to wake the dispatcher and feed the live
 * stream only with events whose rows really exist.
 */
@Injectable()
export class AfterCommit implements EntitySubscriberInterface, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AfterCommit.name);
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
    if (!runner || !runner.isTransactionActive) return this.invoke(callback);
    const list = this.pending.get(runner) ?? [];
    list.push({ depth: depthOf(runner), run: callback });
    this.pending.set(runner, list);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    // A released savepoint broadcasts a commit too; only the outermost commit is final.
    if (runner.isTransactionActive) return;
    const list = this.pending.get(runner);
    this.pending.delete(runner);
    for (const p of list ?? []) this.invoke(p.run);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const runner = event.queryRunner;
    if (!runner.isTransactionActive) {
      this.pending.delete(runner);
      return;
    }
    const depth = depthOf(runner);
    const list = this.pending.get(runner);
    if (list) this.pending.set(runner, list.filter((p) => p.depth <= depth));
  }

  private invoke(callback: () => void): void {
    try {
      callback();
    } catch (err) {
      this.logger.error({ err }, 'After-commit callback failed');
    }
  }
}
