import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { DeviceWebhookDto, DeviceWebhookResponseDto } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

/** The device-token gateway's per-device webhook route. */
@ApiTags('Webhooks')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/webhook')
export class DeviceWebhookController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Set the webhook URL of a device (the device-token gateway)',
    description:
      '`token` names the session (id, mobile number or mobid). The session gets one webhook for every event at `url`: created on the ' +
      'first call, re-pointed (and re-activated) on later ones; pending deliveries follow it. Manage it further through /api/webhooks.',
  })
  @ApiOkResponse({ type: DeviceWebhookResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async set(@CurrentPrincipal() principal: Principal, @Body() dto: DeviceWebhookDto): Promise<DeviceWebhookResponseDto> {
    const { webhook, created } = await this.webhooks.setDeviceWebhook(principal, dto.token, dto.url);
    return { success: true, status: true, message: created ? 'Webhook created' : 'Webhook updated', webhook };
  }
}
