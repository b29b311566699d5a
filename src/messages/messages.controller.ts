import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  Req,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiSecurity,
  ApiTags,
  getSchemaPath,
  ApiExtraModels,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { ApiSessionParam } from '../common/swagger/api-session-param';
import type { SessionEntity } from '../sessions/entities/session.entity';
import { RouteSession } from '../sessions/session.pipe';
import {
  CheckNumbersDto,
  CheckNumbersResponseDto,
  ListMessagesQueryDto,
  MessageListResponseDto,
  MessageResponseDto,
  TypingDto,
} from './dto/message.dto';
import { SendMessageDto, SendMessageResponseDto } from './dto/send-message.dto';
import { MessagesService, type UploadedFile as Upload } from './messages.service';
import { contentDisposition } from '../common/http/content-disposition';

@ApiTags('Messages')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiExtraModels(SendMessageDto)
@Controller('api')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post('messages/send')
  @HttpCode(202)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    schema: { $ref: getSchemaPath(SendMessageDto) },
    examples: {
      text: { value: { sessionId: '919876543210', to: '919846303025', type: 'text', text: 'Hello from API Docs!' } },
      image: { value: { sessionId: '919876543210', to: '919846303025', type: 'image', url: 'https://example.com/a.jpg', caption: 'Hi' } },
      pdf: { value: { sessionId: '919876543210', to: '919846303025', type: 'pdf', url: 'https://example.com/i.pdf', fileName: 'invoice.pdf' } },
      location: { value: { sessionId: '919876543210', to: '919846303025', type: 'location', location: { latitude: 12.97, longitude: 77.59, name: 'Office' } } },
      contact: { value: { sessionId: '919876543210', to: '919846303025', type: 'contact', contact: { name: 'Jo', phone: '+44 7700 900123' } } },
      reaction: { value: { sessionId: '919876543210', to: '919846303025', type: 'reaction', text: '👍', quotedMessageId: '3EB0A1B2C3D4E5F60718293A' } },
      voiceTts: { value: { sessionId: '919876543210', to: '919846303025', type: 'voice', text: 'Your order has shipped', voice: 'coral' } },
    },
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same as the idempotencyKey field' })
  @ApiOperation({
    summary: 'Send a message',
    description:
      'Queues a text, image, video, audio, voice note, pdf/document, sticker, location, contact card or reaction. Media come from a multipart `file`, a `url` or base64 `data`; their type is checked against the bytes. ' +
      'Answers 202 at once; the per-session queue sends with the session pacing and reports SENT, DELIVERED, READ (PLAYED for voice notes). ' +
      'A repeated idempotency key returns the first message (200 with `Idempotent-Replay: true`).',
  })
  @ApiAcceptedResponse({ type: SendMessageResponseDto })
  @ApiErrorResponses(400, 'RECIPIENT_INVALID', 'MEDIA_URL_FORBIDDEN', 'MALFORMED_JSON', 401, 'FORBIDDEN', 'SESSION_NOT_LINKED', 404, 'IDEMPOTENCY_CONFLICT', 413, 415, 422, 'TTS_TEXT_TOO_LONG', 503)
  async send(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: SendMessageDto,
    @Req() req: Request & { file?: Upload },
    @Res({ passthrough: true }) res: Response,
  ): Promise<SendMessageResponseDto> {
    const idempotencyKey = req.get('idempotency-key');
    const { message, replayed } = await this.messages.send(principal, dto, req.file, idempotencyKey);
    if (replayed) res.status(200).setHeader('Idempotent-Replay', 'true');
    return {
      success: true,
      message: { id: message.id, number: message.number, waMessageId: message.waMessageId, status: message.status, sessionId: message.sessionId, to: message.chatJid },
    };
  }

  @Get('messages')
  @ApiOperation({
    summary: 'Message history',
    description: 'Inbound and outbound, newest first. Cursor pagination (nextCursor) by default; `page` switches to page pagination with a total.',
  })
  @ApiOkResponse({ type: MessageListResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListMessagesQueryDto): Promise<MessageListResponseDto> {
    return { success: true, ...(await this.messages.list(principal, query)) };
  }

  @Get('messages/:id')
  @ApiOperation({ summary: 'One message with its status history' })
  @ApiParam({ name: 'id', description: 'The message id (uuid) or its number', example: '42' })
  @ApiOkResponse({ type: MessageResponseDto })
  @ApiErrorResponses(401, 'FORBIDDEN', 'MESSAGE_NOT_FOUND')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<MessageResponseDto> {
    return { success: true, message: await this.messages.get(principal, id) };
  }

  @Get('messages/:id/media')
  @ApiOperation({
    summary: 'Download the media of a message',
    description: 'Inbound media is fetched from WhatsApp on first request (or on arrival with mediaDownload=eager) and kept.',
  })
  @ApiParam({ name: 'id', description: 'The message id (uuid) or its number', example: '42' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The media bytes with their MIME type' })
  @ApiErrorResponses(401, 'FORBIDDEN', 'MESSAGE_NOT_FOUND', 'SESSION_NOT_READY')
  async media(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const { data, mimetype, fileName } = await this.messages.mediaOf(principal, id);
    res.setHeader('Content-Type', mimetype);
    if (fileName) res.setHeader('Content-Disposition', contentDisposition('inline', fileName));
    res.send(data);
  }

  @Post('messages/:id/resend')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a failed, opted-out, expired or canceled message again', description: 'Keeps its WhatsApp id.' })
  @ApiParam({ name: 'id', description: 'The message id (uuid) or its number', example: '42' })
  @ApiAcceptedResponse({ type: MessageResponseDto })
  @ApiErrorResponses(401, 'FORBIDDEN', 'MESSAGE_NOT_FOUND', 'MESSAGE_NOT_RESENDABLE')
  async resend(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<MessageResponseDto> {
    return { success: true, message: await this.messages.resend(principal, id) };
  }

  @Delete('messages/:id')
  @ApiOperation({ summary: 'Cancel a message that is still queued' })
  @ApiParam({ name: 'id', description: 'The message id (uuid) or its number', example: '42' })
  @ApiOkResponse({ type: MessageResponseDto })
  @ApiErrorResponses(401, 'FORBIDDEN', 'MESSAGE_NOT_FOUND', 'MESSAGE_NOT_CANCELABLE')
  async cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<MessageResponseDto> {
    return { success: true, message: await this.messages.cancel(principal, id) };
  }

  @Post('sessions/:sessionId/typing')
  @HttpCode(200)
  @ApiOperation({ summary: 'Show or stop the typing indicator in a chat' })
  @ApiSessionParam()
  @ApiOkResponse({ schema: { example: { success: true } } })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async typing(@RouteSession() session: SessionEntity, @Body() dto: TypingDto): Promise<{ success: true }> {
    await this.messages.typing(session, dto.to, dto.isTyping);
    return { success: true };
  }

  @Post('sessions/:sessionId/check-numbers')
  @HttpCode(200)
  @ApiOperation({ summary: 'Which numbers are on WhatsApp' })
  @ApiSessionParam()
  @ApiOkResponse({ type: CheckNumbersResponseDto })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async checkNumbers(
    @RouteSession() session: SessionEntity,
    @Body() dto: CheckNumbersDto,
  ): Promise<CheckNumbersResponseDto> {
    return { success: true, results: await this.messages.checkNumbers(session, dto.numbers) };
  }
}
