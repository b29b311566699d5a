import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ForProductApi } from '../../auth/product-api';
import { Public } from '../../common/decorators/public.decorator';
import { HealthService } from '../../health/health.service';
import { HealthResponseDto } from './phones.dto';
import { PhonesErrors } from './phones-swagger';

@ApiTags('Health & Status')
@ApiBearerAuth()
@ForProductApi('phones')
@Controller('compat/phones/api/v1/health')
export class PhonesHealthController {
  constructor(private readonly health: HealthService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Get API health status', description: '{status:"ok", timestamp}; 503 with status "error" when the database does not answer. No credential.' })
  @ApiOkResponse({ type: HealthResponseDto })
  async check(@Res({ passthrough: true }) res: Response): Promise<{ status: 'ok' | 'error'; timestamp: string }> {
    const up = await this.health.isDatabaseUp();
    if (!up) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: up ? 'ok' : 'error', timestamp: new Date().toISOString() };
  }

  @Get('resources')
  @ApiOperation({ summary: 'Get system resource usage', description: 'Uptime, memory, CPU and sessions by status.' })
  @PhonesErrors(401)
  async resources() {
    return { data: await this.health.resources() };
  }
}
