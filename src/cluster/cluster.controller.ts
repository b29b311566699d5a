import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/decorators';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { ClusterService } from './cluster.service';

class ClusterNodeDto {
  @ApiProperty({ example: 'gateway-1', description: 'NODE_ID of the replica' }) id: string;
  @ApiProperty({ example: 'gateway-1.internal' }) host: string;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time', description: 'Its last heartbeat' }) lastSeen: string;
  @ApiProperty({ example: 12, description: 'Sessions whose unexpired lease it holds' }) sessionCount: number;
  @ApiProperty({ description: 'Heartbeat within the lease TTL and not stopped' }) alive: boolean;
}

class SessionPlacementDto {
  @ApiProperty({ example: 'qr_1782473171252_bb1a0195' }) sessionId: string;
  @ApiProperty({ nullable: true, type: String, example: 'gateway-1', description: 'The node holding its lease; null while nobody does (expired or released)' })
  node: string | null;
  @ApiProperty({ format: 'date-time', description: 'When the lease runs out unless renewed' }) leaseExpiresAt: string;
}

class ClusterResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'gateway-1', description: 'The node that answered' }) node: string;
  @ApiProperty({ example: 15000 }) leaseTtlMs: number;
  @ApiProperty({ type: [ClusterNodeDto] }) nodes: ClusterNodeDto[];
  @ApiProperty({ type: [SessionPlacementDto], description: 'Every session that has ever been leased' }) sessions: SessionPlacementDto[];
}

@ApiTags('Cluster')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/cluster')
export class ClusterController {
  constructor(private readonly cluster: ClusterService) {}

  @AdminOnly()
  @Get()
  @ApiOperation({
    summary: 'Replicas and which one runs each session',
    description: 'Admin only. Every replica on this database with its heartbeat and session count, and the owner of every session lease (docs/scaling.md).',
  })
  @ApiOkResponse({ type: ClusterResponseDto })
  @ApiErrorResponses(401, 'ADMIN_REQUIRED')
  async get(): Promise<ClusterResponseDto> {
    const [nodes, leases] = await Promise.all([this.cluster.nodes(), this.cluster.leases()]);
    return {
      success: true,
      node: this.cluster.nodeId,
      leaseTtlMs: this.cluster.ttlMs,
      nodes: nodes.map((n) => ({
        id: n.id,
        host: n.host,
        startedAt: n.startedAt.toISOString(),
        lastSeen: n.lastSeen.toISOString(),
        sessionCount: n.sessionCount,
        alive: n.alive,
      })),
      sessions: leases.map((l) => ({ sessionId: l.sessionId, node: l.owner, leaseExpiresAt: l.expiresAt.toISOString() })),
    };
  }
}
