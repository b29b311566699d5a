import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentPrincipal } from '../../auth/decorators';
import { Principal } from '../../auth/principal';
import { ForProductApi } from '../../auth/product-api';
import type { UploadedFile } from '../../messages/messages.service';
import { ConnectionsService } from './connections.service';
import { ConnectionsApiErrors } from './connections-swagger';
import { ConnectionMessageResponseDto, SendConnectionMessageDto, SendConnectionMessageResponseDto } from './dto/send-connection-message.dto';

@ApiTags('Messages')
@ForProductApi('connections')
@Controller('compat/connections/api/v1/messages')
export class ConnectionMessagesController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post('send')
  @HttpCode(200)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    type: SendConnectionMessageDto,
    examples: {
      text: { value: { mobileNumber: '+919999999999', message: 'Hello from Adnonai gateway' } },
      remoteFile: { value: { mobileNumber: '+919999999999', message: 'Here is an image link', fileUrl: 'https://example.com/image.png', fileName: 'image.png', fileType: 'image/png' } },
    },
  })
  @ApiOperation({
    summary: 'Send a message',
    description:
      'With the connection token (or the admin credential and `connectionId`). 10-digit numbers get +91. A file (`fileUrl` or a multipart `file`) is sent as an image, video, audio or document by its type, with `message` as its caption. ' +
      'The message is queued (status QUEUED) and sent by the connection’s queue; follow it with GET …/messages/{messageId}. 403 while the connection is pending_qr or stale.',
  })
  @ApiOkResponse({ type: SendConnectionMessageResponseDto })
  @ConnectionsApiErrors(400, 401, 403, 404, 413, 422)
  async send(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: SendConnectionMessageDto,
    @Req() req: Request & { file?: UploadedFile },
  ): Promise<SendConnectionMessageResponseDto> {
    return { success: true, data: await this.connections.send(principal, dto, req.file) };
  }

  @Get(':messageId')
  @ApiOperation({ summary: 'A sent message and its status', description: 'Not in the original product: lets a client follow delivery (SENT, DELIVERED, READ, FAILED).' })
  @ApiParam({ name: 'messageId', format: 'uuid' })
  @ApiOkResponse({ type: ConnectionMessageResponseDto })
  @ConnectionsApiErrors(400, 401, 403, 404)
  async message(@CurrentPrincipal() principal: Principal, @Param('messageId', new ParseUUIDPipe()) id: string): Promise<ConnectionMessageResponseDto> {
    return { success: true, data: await this.connections.message(principal, id) };
  }
}
