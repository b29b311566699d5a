import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { DeliveryListResponseDto, DeliveryResponseDto, ListDeliveriesQueryDto } from './dto/delivery.dto';
import {
  CreateWebhookDto,
  DeleteWebhookResponseDto,
  ListWebhooksQueryDto,
  UpdateWebhookDto,
  WebhookListResponseDto,
  WebhookResponseDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

const WEBHOOK_PARAM = { name: 'id', format: 'uuid', description: 'Webhook id' };
const DELIVERY_PARAM = { name: 'deliveryId', format: 'uuid', description: 'Delivery id (X-Switchboard-Delivery)' };
/** The `{id}` and `{deliveryId}` path parameters of the routes on one delivery. */
const ApiDeliveryParams = () => applyDecorators(ApiParam(WEBHOOK_PARAM), ApiParam(DELIVERY_PARAM));

const DELIVERY_CONTRACT =
  'Each event becomes one delivery per matching webhook: `POST <url>` with `Content-Type: application/json` and the body ' +
  '`{"id":"evt_…","event":"message.status","sessionId":"…","createdAt":"…","data":{…}}`. Headers: `X-Switchboard-Event`, ' +
  '`X-Switchboard-Event-Id` (the same for every webhook: de-duplicate on it), `X-Switchboard-Delivery`, `X-Switchboard-Timestamp` ' +
  '(unix seconds), `X-Switchboard-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`, ' +
  '`User-Agent: Switchboard-Webhooks/1`. Any 2xx acknowledges; anything else is retried with exponential backoff ' +
  '(about a day by default), in order per webhook, then the delivery is FAILED and can be redelivered.';

@ApiTags('Webhooks')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @ApiOperation({ summary: 'List webhooks', description: 'With delivery health. A session-bound token sees only its session’s webhooks.' })
  @ApiOkResponse({ type: WebhookListResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListWebhooksQueryDto): Promise<WebhookListResponseDto> {
    return { success: true, webhooks: await this.webhooks.list(principal, query) };
  }

  @Post()
  @ApiOperation({
    summary: 'Create a webhook',
    description:
      `Global (every session; admin credentials) or bound to one session. The secret is generated unless given and returned only here; ` +
      `it is stored as is, because every delivery is signed with it. Internal and loopback URLs are allowed. ${DELIVERY_CONTRACT}`,
  })
  @ApiCreatedResponse({ type: WebhookResponseDto })
  @ApiErrorResponses(400, 'WEBHOOK_URL_FORBIDDEN', 401, 'FORBIDDEN', 404)
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateWebhookDto): Promise<WebhookResponseDto> {
    return { success: true, webhook: await this.webhooks.create(principal, dto) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook with its health', description: 'Pending and failed deliveries, last success and failure, failures in a row.' })
  @ApiParam(WEBHOOK_PARAM)
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiErrorResponses(401, 'FORBIDDEN', 'WEBHOOK_NOT_FOUND')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<WebhookResponseDto> {
    return { success: true, webhook: await this.webhooks.get(principal, id) };
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a webhook', description: 'Omitted fields stay. Deactivating pauses deliveries; pending ones resume on reactivation.' })
  @ApiParam(WEBHOOK_PARAM)
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiErrorResponses(400, 'WEBHOOK_URL_FORBIDDEN', 401, 'FORBIDDEN', 'WEBHOOK_NOT_FOUND')
  async update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() dto: UpdateWebhookDto): Promise<WebhookResponseDto> {
    return { success: true, webhook: await this.webhooks.update(principal, id, dto) };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a webhook', description: 'Also deletes its pending deliveries and its delivery log.' })
  @ApiParam(WEBHOOK_PARAM)
  @ApiOkResponse({ type: DeleteWebhookResponseDto })
  @ApiErrorResponses(401, 'FORBIDDEN', 'WEBHOOK_NOT_FOUND')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<DeleteWebhookResponseDto> {
    await this.webhooks.remove(principal, id);
    return { success: true, message: 'Webhook deleted' };
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a test delivery',
    description:
      'Queues one delivery of the event `webhook.test` to this webhook only, through its normal queue (signed, retried, logged, ' +
      'redeliverable), and returns it (PENDING; follow it in the delivery log). Native format: the usual envelope with ' +
      '`data: {webhookId, test: true, message}`. Cloud API format: Meta\'s `whatsapp_business_account` payload with one `statuses` ' +
      'item (`sent`) for the message id `wamid.TEST_…`, which exists nowhere, and recipient `0`. A paused webhook answers 409 WEBHOOK_INACTIVE.',
  })
  @ApiParam(WEBHOOK_PARAM)
  @ApiAcceptedResponse({ type: DeliveryResponseDto })
  @ApiErrorResponses(401, 'FORBIDDEN', 'WEBHOOK_NOT_FOUND', 'WEBHOOK_INACTIVE')
  async test(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<DeliveryResponseDto> {
    return { success: true, delivery: await this.webhooks.sendTest(principal, id) };
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Delivery log', description: 'Newest first, filterable by status, cursor pagination (nextCursor).' })
  @ApiParam(WEBHOOK_PARAM)
  @ApiOkResponse({ type: DeliveryListResponseDto })
  @ApiErrorResponses(400, 401, 'FORBIDDEN', 'WEBHOOK_NOT_FOUND')
  async deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<DeliveryListResponseDto> {
    return { success: true, ...(await this.webhooks.listDeliveries(principal, id, query)) };
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiOperation({ summary: 'One delivery with its body and every attempt', description: 'Each attempt: time, duration, status code, error and the first 1 KB of the response.' })
  @ApiDeliveryParams()
  @ApiOkResponse({ type: DeliveryResponseDto })
  @ApiErrorResponses(401, 'FORBIDDEN', 'WEBHOOK_NOT_FOUND', 'DELIVERY_NOT_FOUND')
  async delivery(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<DeliveryResponseDto> {
    return { success: true, delivery: await this.webhooks.getDelivery(principal, id, deliveryId) };
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Redeliver',
    description:
      'Queues the delivery again, due now, with the same body and event id and a fresh retry budget. Works for FAILED and DELIVERED ' +
      'deliveries; a pending one waiting in backoff is retried at once. It goes out before newer pending deliveries of this webhook.',
  })
  @ApiDeliveryParams()
  @ApiAcceptedResponse({ type: DeliveryResponseDto })
  @ApiErrorResponses(401, 'FORBIDDEN', 'WEBHOOK_NOT_FOUND', 'DELIVERY_NOT_FOUND')
  async redeliver(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<DeliveryResponseDto> {
    return { success: true, delivery: await this.webhooks.redeliver(principal, id, deliveryId) };
  }
}
