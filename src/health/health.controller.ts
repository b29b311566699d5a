import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/decorators/public.decorator';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import type { ToolSource } from '../media/audio/tool-location';
import { HealthService, type NotReadyCode, type ResourceReport } from './health.service';

class ToolDto {
  @ApiProperty({
    enum: ['configured', 'system', 'bundled', 'missing'],
    example: 'bundled',
    description: 'configured: FFMPEG_PATH/ESPEAK_PATH; system: found on PATH; bundled: the copy shipped in an npm package; missing: none',
  })
  source: ToolSource;
  @ApiProperty({ example: true, description: 'Whether the tool answered when asked for its version' }) available: boolean;
  @ApiPropertyOptional({ example: '4.1', description: 'The version the tool reports (for the WebAssembly espeak-ng, its npm package)' })
  version?: string;
}

class ToolsDto {
  @ApiProperty({ type: ToolDto, description: 'Converts audio to voice notes' }) ffmpeg: ToolDto;
  @ApiProperty({ type: ToolDto, description: 'Speaks text offline (the TTS provider without OPENAI_API_KEY)' }) espeak: ToolDto;
}

class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' }) status: 'ok' | 'degraded';
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({ example: { database: 'ok' } }) checks: { database: 'ok' | 'down' };
  @ApiProperty({ type: ToolsDto, description: 'Which ffmpeg and espeak-ng this server runs: the system ones when installed, else the npm-packaged ones' })
  tools: ToolsDto;
}

class LivenessDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' }) status: 'ok';
}

class ReadinessDto {
  @ApiProperty({ enum: ['ready', 'unavailable'], example: 'ready' }) status: 'ready' | 'unavailable';
  @ApiPropertyOptional({
    enum: ['DRAINING', 'DATABASE_UNAVAILABLE'],
    description: 'Why not ready: DRAINING (shutting down, handing its sessions over) or DATABASE_UNAVAILABLE',
  })
  code?: NotReadyCode;
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
  @ApiOperation({
    summary: 'Liveness, database check and audio programs',
    description: 'No credential needed. 503 when the database does not answer. `tools` says which ffmpeg and espeak-ng run (system or npm-packaged).',
  })
  @ApiOkResponse({ type: HealthDto })
  @ApiResponse({ status: 503, type: HealthDto })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const [databaseUp, tools] = await Promise.all([this.health.isDatabaseUp(), this.health.tools()]);
    if (!databaseUp) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: databaseUp ? 'ok' : 'degraded',
      timestamp: new Date().toISOString(),
      checks: { database: databaseUp ? 'ok' : 'down' },
      tools,
    };
  }

  @Public()
  @Get('live')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Liveness probe',
    description: 'No credential needed. 200 while the process and its event loop answer; asks nothing else (no database), so a database outage never restarts the process.',
  })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Readiness probe',
    description:
      'No credential needed. 200 when this replica should get traffic; 503 with `code` DATABASE_UNAVAILABLE when its database does not answer, ' +
      'or DRAINING from the moment it received SIGTERM (it is handing its sessions over and will exit). See docs/deployment.md.',
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiResponse({ status: 503, type: ReadinessDto })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessDto> {
    const readiness = await this.health.readiness();
    if (readiness.ready) return { status: 'ready' };
    res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'unavailable', code: readiness.code };
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
