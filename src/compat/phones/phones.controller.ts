import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentPrincipal } from '../../auth/decorators';
import type { Principal } from '../../auth/principal';
import { ForProductApi } from '../../auth/product-api';
import type { UploadedFile } from '../../messages/messages.service';
import {
  AddPhoneDto,
  ConnectDto,
  ConnectResponseDto,
  ContactsResponseDto,
  HistoryResponseDto,
  MessageAcceptedResponseDto,
  PhoneListResponseDto,
  PhoneResponseDto,
  WebhookListResponseDto,
  WebhookResponseDto,
  GroupsQueryDto,
  HasWhatsappDto,
  HistoryQueryDto,
  PageQueryDto,
  SendMessageDto,
  TypingDto,
  WebhookBodyDto,
  WebhookUpdateDto,
} from './phones.dto';
import { PhonesErrors } from './phones-swagger';
import { PhonesService } from './phones.service';
import { PhonesWebhooksService } from './phones-webhooks.service';

/** Every list the API answers in full ("all contacts") is capped at this many rows. */
const ALL_LIMIT = 500;

@ApiTags('Phones')
@ApiBearerAuth()
@ForProductApi('phones')
@Controller('compat/phones/api/v1/user/phones')
export class PhonesController {
  constructor(private readonly phones: PhonesService) {}

  @Get()
  @ApiOperation({ summary: "Get list of user's phone numbers", description: 'With the quota (PHONES_QUOTA) and the allowed media (PHONES_ALLOWED_MEDIA).' })
  @ApiOkResponse({ type: PhoneListResponseDto })
  @PhonesErrors(401, 403)
  async list() {
    return { data: await this.phones.list() };
  }

  @Post()
  @ApiOperation({ summary: 'Add a new phone number', description: '403 QUOTA_EXCEEDED past PHONES_QUOTA; 409 PHONE_EXISTS.' })
  @ApiCreatedResponse({ type: PhoneResponseDto })
  @PhonesErrors(400, 401, 403, 409)
  async add(@Body() dto: AddPhoneDto) {
    return { success: true, data: await this.phones.add(dto) };
  }

  @Delete(':phone')
  @ApiOperation({ summary: 'Delete a phone number', description: 'Logs its WhatsApp session out first.' })
  @PhonesErrors(401, 404)
  async remove(@Param('phone') phone: string) {
    await this.phones.remove(phone);
    return { success: true, data: { phone: phone.replace(/\D/g, ''), deleted: true } };
  }

  @Post(':phone/connect')
  @HttpCode(200)
  @ApiOperation({ summary: 'Connect/pair a phone with WhatsApp', description: 'QR code (qr + qrCodeDataUrl) or, with pairingCodeMode, a pairing code for this number.' })
  @ApiOkResponse({ type: ConnectResponseDto })
  @PhonesErrors(400, 401, 404, 409)
  async connect(@CurrentPrincipal() principal: Principal, @Param('phone') phone: string, @Body() dto: ConnectDto) {
    return { data: await this.phones.connect(principal, phone, dto?.pairingCodeMode ?? false) };
  }

  @Post(':phone/disconnect')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disconnect a phone from WhatsApp', description: 'Keeps the link: connect reconnects without a new QR.' })
  @ApiOkResponse({ type: PhoneResponseDto })
  @PhonesErrors(401, 404)
  async disconnect(@Param('phone') phone: string) {
    return { data: await this.phones.disconnect(phone) };
  }

  @Post(':phone/message')
  @HttpCode(202)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ type: SendMessageDto })
  @ApiOperation({ summary: 'Send a message (text, media, or custom)', description: 'Queued (202); follow its status in messages (history) or message.status webhooks.' })
  @ApiAcceptedResponse({ type: MessageAcceptedResponseDto })
  @PhonesErrors(400, 401, 403, 404, 413, 415, 422)
  async message(@CurrentPrincipal() principal: Principal, @Param('phone') phone: string, @Body() dto: SendMessageDto, @Req() req: Request & { file?: UploadedFile }) {
    const { message, replayed } = await this.phones.send(principal, phone, dto, req.file);
    return {
      data: {
        id: message.id,
        messageId: message.waMessageId,
        status: message.status,
        recipient: message.chat,
        type: message.type,
        replayed,
        createdAt: message.createdAt,
      },
    };
  }

  @Post(':phone/typing')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send typing indicator' })
  @PhonesErrors(400, 401, 403, 404, 409)
  async typing(@CurrentPrincipal() principal: Principal, @Param('phone') phone: string, @Body() dto: TypingDto) {
    return { data: await this.phones.typing(principal, phone, dto.recipient, dto.country, dto.isTyping) };
  }

  @Get(':phone/has-whatsapp')
  @ApiOperation({ summary: 'Check if a number has WhatsApp (query)' })
  @PhonesErrors(400, 401, 403, 404, 409)
  async hasWhatsappGet(@CurrentPrincipal() principal: Principal, @Param('phone') phone: string, @Query() q: HasWhatsappDto) {
    return { data: await this.phones.hasWhatsapp(principal, phone, q.recipient, q.country) };
  }

  @Post(':phone/has-whatsapp')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check if a number has WhatsApp (body)' })
  @PhonesErrors(400, 401, 403, 404, 409)
  async hasWhatsappPost(@CurrentPrincipal() principal: Principal, @Param('phone') phone: string, @Body() dto: HasWhatsappDto) {
    return { data: await this.phones.hasWhatsapp(principal, phone, dto.recipient, dto.country) };
  }

  @Get(':phone/messages')
  @ApiOperation({ summary: 'Get message history', description: 'Newest first; page, limit, recipient, country all optional.' })
  @ApiOkResponse({ type: HistoryResponseDto })
  @PhonesErrors(400, 401, 404)
  async history(@CurrentPrincipal() principal: Principal, @Param('phone') phone: string, @Query() q: HistoryQueryDto) {
    return { data: await this.phones.history(principal, phone, q) };
  }

  @Get(':phone/groups')
  @ApiOperation({ summary: 'Get all WhatsApp groups for a phone', description: 'Cached for 4 minutes (refresh=true asks again).' })
  @PhonesErrors(401, 403, 404, 409)
  async groups(@CurrentPrincipal() principal: Principal, @Param('phone') phone: string, @Query() q: GroupsQueryDto) {
    return { data: await this.phones.groupList(principal, phone, q.refresh ?? false) };
  }

  @Get(':phone/groups/:groupId')
  @ApiOperation({ summary: 'Get specific group details', description: 'From the cached list when fresh.' })
  @PhonesErrors(401, 403, 404, 409)
  async group(@CurrentPrincipal() principal: Principal, @Param('phone') phone: string, @Param('groupId') groupId: string, @Query() q: GroupsQueryDto) {
    return { data: { group: await this.phones.group(principal, phone, groupId, q.refresh ?? false) } };
  }
}

@ApiTags('Contacts')
@ApiBearerAuth()
@ForProductApi('phones')
@Controller('compat/phones/api/v1/user/contacts')
export class PhonesContactsController {
  constructor(private readonly phones: PhonesService) {}

  @Get()
  @ApiOperation({ summary: 'Get all contacts across all phones', description: `At most ${ALL_LIMIT}; use pagination for more.` })
  @ApiOkResponse({ type: ContactsResponseDto })
  @PhonesErrors(401)
  async all(@CurrentPrincipal() principal: Principal) {
    const { contacts, pagination } = await this.phones.contactList(principal, { limit: ALL_LIMIT });
    return { data: { contacts, total: pagination.total } };
  }

  @Get('pagination')
  @ApiOperation({ summary: 'Get paginated contacts across all phones' })
  @ApiOkResponse({ type: ContactsResponseDto })
  @PhonesErrors(400, 401)
  async paginated(@CurrentPrincipal() principal: Principal, @Query() q: PageQueryDto) {
    return { data: await this.phones.contactList(principal, { page: q.page, limit: q.limit }) };
  }

  @Get(':phone')
  @ApiOperation({ summary: 'Get contacts for specific phone', description: `At most ${ALL_LIMIT}.` })
  @ApiOkResponse({ type: ContactsResponseDto })
  @PhonesErrors(401, 404)
  async ofPhone(@CurrentPrincipal() principal: Principal, @Param('phone') phone: string) {
    const { contacts, pagination } = await this.phones.contactList(principal, { phone, limit: ALL_LIMIT });
    return { data: { contacts, total: pagination.total } };
  }
}

@ApiTags('Webhooks')
@ApiBearerAuth()
@ForProductApi('phones')
@Controller('compat/phones/api/v1/user/webhooks')
export class PhonesWebhooksController {
  constructor(private readonly webhooks: PhonesWebhooksService) {}

  @Get()
  @ApiOperation({ summary: 'Get all configured webhooks' })
  @ApiOkResponse({ type: WebhookListResponseDto })
  @PhonesErrors(401)
  async list(@CurrentPrincipal() principal: Principal) {
    return { data: { webhooks: await this.webhooks.list(principal) } };
  }

  @Post()
  @ApiOperation({ summary: 'Create a new webhook', description: 'One webhook per service type: 409 WEBHOOK_SERVICE_TAKEN names the one to replace (PUT).' })
  @ApiCreatedResponse({ type: WebhookResponseDto })
  @PhonesErrors(400, 401, 409)
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: WebhookBodyDto) {
    return { success: true, data: await this.webhooks.create(principal, dto.url, dto.services) };
  }

  @Put(':id')
  @ApiOperation({ summary: 'Update existing webhook' })
  @ApiOkResponse({ type: WebhookResponseDto })
  @PhonesErrors(400, 401, 404, 409)
  async put(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() dto: WebhookUpdateDto) {
    return { success: true, data: await this.webhooks.update(principal, id, dto) };
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update existing webhook (same as PUT)' })
  @ApiOkResponse({ type: WebhookResponseDto })
  @PhonesErrors(400, 401, 404, 409)
  async patch(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() dto: WebhookUpdateDto) {
    return { success: true, data: await this.webhooks.update(principal, id, dto) };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a webhook' })
  @PhonesErrors(401, 404)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    await this.webhooks.remove(principal, id);
    return { success: true, data: { id, deleted: true } };
  }
}
