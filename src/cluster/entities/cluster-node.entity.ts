import { Entity, PrimaryColumn } from 'typeorm';
import { TextColumn, TimestampColumn, UuidColumn } from '../../database/columns';

/** One replica of the gateway on this database, with its heartbeat (`last_seen`). */
@Entity('cluster_node')
export class ClusterNodeEntity {
  /** NODE_ID. */
  @PrimaryColumn({ type: 'text' }) id: string;
  @TextColumn() host: string;
  /** The process now running under this id: a newer process with the same NODE_ID replaces it. */
  @UuidColumn() incarnation: string;
  @TimestampColumn({ name: 'started_at', default: () => 'now()' }) startedAt: Date;
  @TimestampColumn({ name: 'last_seen', default: () => 'now()' }) lastSeen: Date;
  /** Set on a clean shutdown; a node that stops renewing without it was killed. */
  @TimestampColumn({ name: 'stopped_at', nullable: true }) stoppedAt: Date | null;
}
