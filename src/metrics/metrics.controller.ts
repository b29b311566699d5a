import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsService } from './metrics.service';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  // The global guard would refuse METRICS_TOKEN; MetricsAccessGuard takes it or an admin credential.
  @Public()
  @UseGuards(MetricsAccessGuard)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Process, event loop, HTTP, message, queue, webhook and session metrics in the Prometheus text format (all named `switchboard_…`). ' +
      'Authorization: `Bearer <METRICS_TOKEN>` or an admin credential. See docs/observability.md.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4', schema: { type: 'string', example: '# TYPE switchboard_sessions gauge\nswitchboard_sessions{status="READY"} 3\n' } })
  @ApiErrorResponses(401, 403)
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
