import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal } from '../../auth/decorators';
import { Principal } from '../../auth/principal';
import { ForProductApi } from '../../auth/product-api';
import { ConnectionsService } from './connections.service';
import { ConnectionsApiErrors } from './connections-swagger';
import {
  ConnectionListResponseDto,
  ConnectionRefDto,
  ConnectionStateResponseDto,
  ConnectionStatusQueryDto,
  ConnectionStatusResponseDto,
  RequestConnectionDto,
  RequestConnectionResponseDto,
} from './dto/connection.dto';

const BY_TOKEN_OR_ID = 'With `Authorization: Bearer <connectionToken>`, or with the admin credential and a `connectionId`.';

@ApiTags('Connections')
@ForProductApi('connections')
@Controller('compat/connections/api/v1/connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post('request')
  @ApiOperation({
    summary: 'Create a connection (or reset the customer’s existing one)',
    description:
      'Needs the admin credential. Creates a WhatsApp session waiting for a QR scan and answers the connection, its connection token (a JWT; store it) and the QR as a PNG data URL. ' +
      'For an existing customerId the connection is reset: its old token is revoked, its WhatsApp credentials wiped, a fresh QR started and a new token issued (200 instead of 201).',
  })
  @ApiCreatedResponse({ type: RequestConnectionResponseDto, description: 'A new connection' })
  @ApiOkResponse({ type: RequestConnectionResponseDto, description: 'An existing connection, reset' })
  @ConnectionsApiErrors(400, 401, 403, 409)
  async request(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: RequestConnectionDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RequestConnectionResponseDto> {
    const { created, data } = await this.connections.request(principal, dto);
    res.status(created ? 201 : 200);
    return { success: true, data };
  }

  @Post('activate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Activate (connect) the connection',
    description:
      `${BY_TOKEN_OR_ID} A connection logged out through this API reconnects with its stored credentials (connected once the socket opens); one unlinked from the phone starts a fresh QR. ` +
      'While the QR is not scanned the connection stays pending_qr (scanning is what links it) and the answer carries the QR.',
  })
  @ApiBody({ type: ConnectionRefDto, required: false })
  @ApiOkResponse({ type: ConnectionStateResponseDto })
  @ConnectionsApiErrors(400, 401, 403, 404, 409)
  async activate(@CurrentPrincipal() principal: Principal, @Body() dto: ConnectionRefDto): Promise<ConnectionStateResponseDto> {
    return { success: true, data: await this.connections.activate(principal, dto?.connectionId) };
  }

  @Get('status')
  @ApiOperation({ summary: 'Socket status of the connection', description: `${BY_TOKEN_OR_ID} socketStatus is connected, stale or disconnected.` })
  @ApiOkResponse({ type: ConnectionStatusResponseDto })
  @ConnectionsApiErrors(400, 401, 403, 404)
  async status(@CurrentPrincipal() principal: Principal, @Query() query: ConnectionStatusQueryDto): Promise<ConnectionStatusResponseDto> {
    return { success: true, data: await this.connections.status(principal, query.connectionId) };
  }

  @Post('logout')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log the connection out (stale)',
    description: `${BY_TOKEN_OR_ID} Closes the WhatsApp socket and keeps the credentials; the connection is stale and refuses sends until activated.`,
  })
  @ApiBody({ type: ConnectionRefDto, required: false })
  @ApiOkResponse({ type: ConnectionStateResponseDto })
  @ConnectionsApiErrors(400, 401, 403, 404, 409)
  async logout(@CurrentPrincipal() principal: Principal, @Body() dto: ConnectionRefDto): Promise<ConnectionStateResponseDto> {
    return { success: true, data: await this.connections.logout(principal, dto?.connectionId) };
  }

  @Get()
  @ApiOperation({ summary: 'List the connections', description: 'Needs the admin credential. Newest first.' })
  @ApiOkResponse({ type: ConnectionListResponseDto })
  @ConnectionsApiErrors(401, 403)
  async list(@CurrentPrincipal() principal: Principal): Promise<ConnectionListResponseDto> {
    return { success: true, data: await this.connections.list(principal) };
  }
}
