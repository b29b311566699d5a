import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { DashboardService, type Overview } from './dashboard.service';

class OverviewResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({
    example: {
      sessions: { total: 3, live: 2, byStatus: { READY: 2, LOGGED_OUT: 1 } },
      messages: { last24h: { outbound: { READ: 120, DELIVERED: 14, FAILED: 2 }, inbound: 87 }, hourly: [{ hour: '2026-11-22T09:00:00Z', outbound: 40, sent: 39, delivered: 37, read: 30, failed: 1, inbound: 12 }], queued: 5 },
      webhooks: { total: 2, active: 2, pending: 0, failedLast24h: 0, deliveredLast24h: 340, oldestPendingAt: null },
    },
  })
  overview: Overview;
}

@ApiTags('Dashboard')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/dashboard')
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('overview')
  @ApiOperation({
    summary: 'Sessions by status, messages by status over the last 24 hours, webhook health',
    description:
      '`messages.hourly` lists the UTC hours of the last 24 hours that had traffic, oldest first. Each figure counts what happened in ' +
      'that hour: `outbound` messages queued; outbound messages that reached `sent`, `delivered` and `read` (by the receipt times: ' +
      'a read message also counts as delivered, a played voice note as read); outbound messages that `failed` (from the status ' +
      'history; one that fails again after a resend counts once per hour it failed in); `inbound` messages received.',
  })
  @ApiOkResponse({ type: OverviewResponseDto })
  @ApiErrorResponses(401)
  async overview(@CurrentPrincipal() principal: Principal): Promise<OverviewResponseDto> {
    return { success: true, overview: await this.dashboard.overview(principal) };
  }
}
