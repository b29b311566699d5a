import { Module } from '@nestjs/common';
import { ClusterController } from './cluster.controller';
import { ClusterService } from './cluster.service';
import { LeaseRepository } from './lease.repository';

/**
 * Replicas sharing one database: `cluster_node` (heartbeats) and `session_lease` (which
 * replica runs each session, with a fencing token). ClusterService is what the sessions module
 * uses; nothing else touches the tables.
 */
@Module({
  controllers: [ClusterController],
  providers: [LeaseRepository, ClusterService],
  exports: [ClusterService],
})
export class ClusterModule {}
