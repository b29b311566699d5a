import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentPrincipal } from '../../auth/decorators';
import { Principal } from '../../auth/principal';
import { ForProductApi } from '../../auth/product-api';
import type { UploadedFile } from '../../messages/messages.service';
import {
  GatewayCreateSessionDto,
  GatewayErrorDto,
  GatewayMessageResponseDto,
  GatewayRegenerateQrDto,
  GatewaySendDto,
  GatewaySendImageDto,
  GatewaySendResponseDto,
  GatewaySessionDto,
  GatewayStatusDto,
  GatewaySuccessDto,
} from './dto/gateway.dto';
import { GatewayErrorResponses } from './gateway-api-errors';
import { GatewayMessagesService } from './gateway-messages.service';
import { GatewaySessionsService } from './gateway-sessions.service';

/**
 * The WA Gateway's REST API (`X-API-Key`), its paths below `/compat/gateway`. Sessions are
 * named; sends go to the native queue and answer with the message's integer number.
 */
@ApiTags('WA Gateway')
@ApiSecurity('api-key')
@ApiExtraModels(GatewayErrorDto)
@ForProductApi('gateway')
@Controller('compat/gateway/api')
export class GatewayController {
  constructor(
    private readonly sessions: GatewaySessionsService,
    private readonly messages: GatewayMessagesService,
  ) {}

  @Get('status')
  @ApiOperation({ summary: 'Status of the default session', description: 'Creates the `default` session (starting its QR) on first call. `qr_code` is a PNG data URL while linking.' })
  @ApiOkResponse({ type: GatewayStatusDto })
  @GatewayErrorResponses(401)
  status(@CurrentPrincipal() principal: Principal): Promise<GatewayStatusDto> {
    return this.sessions.status(principal);
  }

  @Get('sessions')
  @ApiOperation({ summary: 'All sessions', description: 'A bare JSON array, `default` first.' })
  @ApiOkResponse({ type: [GatewaySessionDto] })
  @GatewayErrorResponses(401)
  list(@CurrentPrincipal() principal: Principal): Promise<GatewaySessionDto[]> {
    return this.sessions.list(principal);
  }

  @Post('sessions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a session', description: 'Starts linking at once; the QR shows in `GET /api/status` (default) or the native QR route. Pacing 8–22 s and opt-in hold are its native settings.' })
  @ApiOkResponse({ type: GatewayMessageResponseDto, schema: { example: { success: true, message: 'Session "support" created — check dashboard for QR code' } } })
  @GatewayErrorResponses(400, 401, 409)
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: GatewayCreateSessionDto): Promise<GatewayMessageResponseDto> {
    await this.sessions.create(principal, dto.name);
    return { success: true, message: `Session "${dto.name}" created — check dashboard for QR code` };
  }

  @Delete('sessions/:name')
  @ApiOperation({ summary: 'Delete a session', description: 'Unlinks it and frees its name. `default` cannot be deleted (403).' })
  @ApiParam({ name: 'name', example: 'support' })
  @ApiOkResponse({ type: GatewaySuccessDto })
  @GatewayErrorResponses(401, 403, 404)
  async remove(@Param('name') name: string): Promise<GatewaySuccessDto> {
    await this.sessions.remove(name);
    return { success: true };
  }

  @Post('send')
  @HttpCode(200)
  @ApiOperation({ summary: 'Queue a text message', description: 'The session queue sends it with its pacing (8–22 s for sessions this API creates). To a contact who never wrote in, it waits for their opt-in.' })
  @ApiOkResponse({ type: GatewaySendResponseDto })
  @GatewayErrorResponses(400, 401, 403, 404)
  async send(@CurrentPrincipal() principal: Principal, @Body() dto: GatewaySendDto): Promise<GatewaySendResponseDto> {
    return { success: true, message_id: await this.messages.sendText(principal, dto) };
  }

  @Post('send-image')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: GatewaySendImageDto })
  @ApiOperation({ summary: 'Queue an image message', description: 'JPG/PNG/GIF/WEBP up to 10 MB, sent as a JPEG of at most 1280 px, quality 78.' })
  @ApiOkResponse({ type: GatewaySendResponseDto })
  @GatewayErrorResponses(400, 401, 403, 404, 413)
  async sendImage(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: GatewaySendImageDto,
    @Req() req: Request & { file?: UploadedFile },
  ): Promise<GatewaySendResponseDto> {
    return { success: true, message_id: await this.messages.sendImage(principal, dto, req.file) };
  }

  @Post('resend/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resend a failed or opted-out message', description: 'Puts it back in the queue with the same WhatsApp id. Other states are 409 MESSAGE_NOT_RESENDABLE.' })
  @ApiParam({ name: 'id', type: 'integer', example: 42 })
  @ApiOkResponse({ type: GatewaySuccessDto })
  @GatewayErrorResponses(401, 404, 409)
  async resend(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<GatewaySuccessDto> {
    await this.messages.resend(principal, id);
    return { success: true };
  }

  @Post('regenerate-qr')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reconnect a session', description: 'Closes and reopens the connection: a linked session logs in again, an unlinked one gets a fresh QR.' })
  @ApiOkResponse({ type: GatewayMessageResponseDto })
  @GatewayErrorResponses(401, 404)
  async regenerateQr(@CurrentPrincipal() principal: Principal, @Body() dto: GatewayRegenerateQrDto): Promise<GatewayMessageResponseDto> {
    const name = await this.sessions.regenerateQr(principal, dto?.session);
    return { success: true, message: `Reconnection initiated for session "${name}"` };
  }
}

