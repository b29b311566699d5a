import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../auth/decorators';
import { Principal } from '../../auth/principal';
import { ForProductApi } from '../../auth/product-api';
import { ConnectionsService } from './connections.service';
import { ConnectionsApiErrors } from './connections-swagger';
import { OverviewResponseDto } from './dto/connection.dto';

@ApiTags('Dashboard')
@ForProductApi('connections')
@Controller('compat/connections/api/v1/dashboard')
export class ConnectionsDashboardController {
  constructor(private readonly connections: ConnectionsService) {}

  @Get('overview')
  @ApiOperation({ summary: 'Connections by status and message figures', description: 'Needs the admin credential.' })
  @ApiOkResponse({ type: OverviewResponseDto })
  @ConnectionsApiErrors(401, 403)
  async overview(@CurrentPrincipal() principal: Principal): Promise<OverviewResponseDto> {
    return { success: true, data: await this.connections.overview(principal) };
  }
}
