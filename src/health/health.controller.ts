import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/decorators/public.decorator';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { HealthService, type ResourceReport } from './health.service';

class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' }) status: 'ok' | 'degraded';
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({ example: { database: 'ok' } }) checks: { database: 'ok' | 'down' };
}

class ResourcesDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({
    example: {
      uptimeSeconds: 3600,
      memory: { rss: 123456789, heapUsed: 45678901, heapTotal: 67890123, external: 1234567 },
      cpu: { userMicros: 1200000, systemMicros: 300000, loadAverage: [0.1, 0.2, 0.3], cores: 2 },
      sessions: { total: 3, live: 2, byStatus: { READY: 2, INACTIVE: 1 } },
    },
  })
  resources: ResourceReport;
}

@ApiTags('Health')
@Controller('api/health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and database check', description: 'No credential needed. 503 when the database does not answer.' })
  @ApiOkResponse({ type: HealthDto })
  @ApiResponse({ status: 503, type: HealthDto })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const databaseUp = await this.health.isDatabaseUp();
    if (!databaseUp) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: databaseUp ? 'ok' : 'degraded', timestamp: new Date().toISOString(), checks: { database: databaseUp ? 'ok' : 'down' } };
  }

  @Get('resources')
  @ApiBearerAuth()
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'Memory, CPU, uptime and session counts' })
  @ApiOkResponse({ type: ResourcesDto })
  @ApiErrorResponses(401)
  async resources(): Promise<ResourcesDto> {
    return { success: true, resources: await this.health.resources() };
  }
}
