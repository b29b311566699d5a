import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiExtraModels, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../auth/decorators';
import { Principal } from '../../auth/principal';
import { ForProductApi } from '../../auth/product-api';
import { Public } from '../../common/decorators/public.decorator';
import {
  DevicesErrorDto,
  DevicesQueryDto,
  DevicesResponseDto,
  DeviceStatusResponseDto,
  ListResponseDto,
  MessageResponseDto,
  PageQueryDto,
  PairingCodeDto,
  PairingCodeResponseDto,
  QrcodeDto,
  QrcodeResponseDto,
  SendDto,
  SendResponseDto,
  StartDto,
  StartResponseDto,
  TokenQueryDto,
  WebhookDto,
  WorkspaceDto,
} from './devices.dto';
import { DeviceAuthGuard, DeviceCaller } from './device-auth.guard';
import { DevicesService } from './devices.service';

const Errors = () =>
  applyDecorators(
    ApiBadRequestResponse({ type: DevicesErrorDto, description: 'Bad input' }),
    ApiUnauthorizedResponse({ type: DevicesErrorDto, description: 'No or bad apikey' }),
    ApiForbiddenResponse({ type: DevicesErrorDto, description: 'A credential of another API, or bound to another device' }),
    ApiNotFoundResponse({ type: DevicesErrorDto, description: 'No device with this token' }),
  );

/**
 * A route of one device, named by `token` (body or query string). It skips the global guard:
 * DeviceAuthGuard checks the apikey, or lets the device token alone through when
 * DEVICES_TOKEN_AUTH is on (DevicesService.contextOf then binds the call to that device).
 */
const DeviceRoute = (summary: string, description?: string) =>
  applyDecorators(Public(), UseGuards(DeviceAuthGuard), ApiOperation({ summary, description }), Errors());

/** A route the document marks "Protected": the global guard requires the apikey. */
const ProtectedRoute = (summary: string, description?: string) => applyDecorators(ApiOperation({ summary, description }), Errors());

/** The device-token gateway API: `/compat/devices/api/...`, the product's paths and shapes. */
@ApiTags('Device-token gateway')
@ApiSecurity('apikey')
@ApiExtraModels(DevicesErrorDto)
@ForProductApi('devices')
@Controller('compat/devices/api')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Post('start')
  @HttpCode(200)
  @DeviceRoute('Start a session for a token', 'Creates the device (a native QR session named after the token) on first use, else restarts its session. reject_call "Y" declines calls natively, answering with reject_message.')
  @ApiOkResponse({ type: StartResponseDto })
  async start(@DeviceCaller() caller: Principal | null, @Query() query: TokenQueryDto, @Body() body: StartDto): Promise<StartResponseDto> {
    const token = this.devices.tokenOf(query.token, body.token);
    const { created, state } = await this.devices.start(caller, token, body);
    return { status: true, message: created ? 'Session started' : 'Session restarted', token, state };
  }

  @Post('qrcode')
  @HttpCode(200)
  @DeviceRoute('QR code to link, or the profile once linked', 'With `phone`, a pairing code for that number instead (as POST /api/pairing-code).')
  @ApiOkResponse({ type: QrcodeResponseDto })
  async qrcode(@DeviceCaller() caller: Principal | null, @Query() query: TokenQueryDto, @Body() body: QrcodeDto): Promise<QrcodeResponseDto | DeviceStatusResponseDto | PairingCodeResponseDto> {
    const ctx = await this.devices.contextOf(caller, this.devices.tokenOf(query.token, body.token));
    return body.phone !== undefined ? this.devices.pairingCode(ctx, body.phone) : this.devices.qrcode(ctx);
  }

  @Get('qrcode')
  @DeviceRoute('QR code (GET form of POST /api/qrcode)')
  @ApiOkResponse({ type: QrcodeResponseDto })
  async qrcodeGet(@DeviceCaller() caller: Principal | null, @Query() query: TokenQueryDto): Promise<QrcodeResponseDto | DeviceStatusResponseDto> {
    return this.devices.qrcode(await this.devices.contextOf(caller, this.devices.tokenOf(query.token, undefined)));
  }

  @Post('pairing-code')
  @HttpCode(200)
  @DeviceRoute('Pair with a phone number (the dashboard\'s "OR PAIR WITH PHONE")', 'Answers the code to enter on the phone: Linked devices → Link with phone number. The device links by code from then on; POST /api/qrcode without phone goes back to QR.')
  @ApiOkResponse({ type: PairingCodeResponseDto })
  async pairingCode(@DeviceCaller() caller: Principal | null, @Query() query: TokenQueryDto, @Body() body: PairingCodeDto): Promise<PairingCodeResponseDto> {
    const ctx = await this.devices.contextOf(caller, this.devices.tokenOf(query.token, body.token));
    return this.devices.pairingCode(ctx, body.phone);
  }

  @Get('status')
  @DeviceRoute('Connection status of a token')
  @ApiOkResponse({ type: DeviceStatusResponseDto })
  async status(@DeviceCaller() caller: Principal | null, @Query() query: TokenQueryDto): Promise<DeviceStatusResponseDto> {
    return this.devices.status(await this.devices.contextOf(caller, this.devices.tokenOf(query.token, undefined)));
  }

  @Post('send')
  @HttpCode(200)
  @DeviceRoute('Send a text or media message', 'Queued like every native send. file_url is fetched; the kind (image, video, audio, document) follows its bytes and `message` is the caption.')
  @ApiOkResponse({ type: SendResponseDto })
  async send(@DeviceCaller() caller: Principal | null, @Query() query: TokenQueryDto, @Body() body: SendDto): Promise<SendResponseDto> {
    const ctx = await this.devices.contextOf(caller, this.devices.tokenOf(query.token, body.token));
    return { status: true, message: 'Message queued', data: await this.devices.send(ctx, body) };
  }

  @Get('contacts')
  @DeviceRoute('Saved contacts of the device', 'All of them (up to `limit`, default 1000, per `page`).')
  @ApiOkResponse({ type: ListResponseDto })
  async contacts(@DeviceCaller() caller: Principal | null, @Query() query: PageQueryDto) {
    const ctx = await this.devices.contextOf(caller, this.devices.tokenOf(query.token, undefined));
    return { status: true, ...(await this.devices.contactList(ctx, query)) };
  }

  @Get('groups')
  @DeviceRoute('Groups the device is in')
  @ApiOkResponse({ type: ListResponseDto })
  async groups(@DeviceCaller() caller: Principal | null, @Query() query: TokenQueryDto) {
    const ctx = await this.devices.contextOf(caller, this.devices.tokenOf(query.token, undefined));
    return { status: true, data: await this.devices.groupList(ctx) };
  }

  @Post('logout')
  @HttpCode(200)
  @DeviceRoute('Log out and disconnect', 'Unlinks the phone and wipes the credentials; the device stays (POST /api/qrcode links it again).')
  @ApiOkResponse({ type: MessageResponseDto })
  async logout(@DeviceCaller() caller: Principal | null, @Query() query: TokenQueryDto, @Body() body: TokenQueryDto): Promise<MessageResponseDto> {
    const ctx = await this.devices.contextOf(caller, this.devices.tokenOf(query.token, body.token));
    await this.devices.logout(ctx);
    return { status: true, message: 'Logged out' };
  }

  @Post('reconnect')
  @HttpCode(200)
  @DeviceRoute('Reconnect an existing session')
  @ApiOkResponse({ type: MessageResponseDto })
  async reconnect(@DeviceCaller() caller: Principal | null, @Query() query: TokenQueryDto, @Body() body: TokenQueryDto): Promise<MessageResponseDto & { state: string }> {
    const ctx = await this.devices.contextOf(caller, this.devices.tokenOf(query.token, body.token));
    return { status: true, message: 'Reconnecting', state: await this.devices.reconnect(ctx) };
  }

  @Get('devices')
  @ProtectedRoute('List devices (protected)', '`page`, `limit` (≤ 100, default 10), `q` (token or number), `workspace`.')
  @ApiOkResponse({ type: DevicesResponseDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: DevicesQueryDto): Promise<DevicesResponseDto> {
    return { status: true, ...(await this.devices.list(principal, query)) };
  }

  @Delete('device')
  @ProtectedRoute('Delete a device token (protected)', 'Logs the session out, deletes it with its webhook, and frees the token name.')
  @ApiOkResponse({ type: MessageResponseDto })
  async remove(@CurrentPrincipal() principal: Principal, @Query() query: TokenQueryDto, @Body() body: TokenQueryDto): Promise<MessageResponseDto> {
    const ctx = await this.devices.contextOf(principal, this.devices.tokenOf(query.token, body?.token));
    await this.devices.remove(ctx);
    return { status: true, message: 'Device deleted' };
  }

  @Post('webhook')
  @HttpCode(200)
  @ProtectedRoute('Set the webhook URL of a token (protected)', 'Every event of the device (messages, receipts, status) is posted there, signed and retried, in the native format (docs/webhooks.md).')
  @ApiOkResponse({ type: MessageResponseDto })
  async webhook(@CurrentPrincipal() principal: Principal, @Query() query: TokenQueryDto, @Body() body: WebhookDto) {
    const token = this.devices.tokenOf(query.token, body.token);
    const { created } = await this.devices.setWebhook(await this.devices.contextOf(principal, token), body.url);
    return { status: true, message: created ? 'Webhook created' : 'Webhook updated', token, url: body.url };
  }

  @Post('workspace')
  @HttpCode(200)
  @ProtectedRoute('Assign a workspace to a token (protected)')
  @ApiOkResponse({ type: MessageResponseDto })
  async workspace(@CurrentPrincipal() principal: Principal, @Query() query: TokenQueryDto, @Body() body: WorkspaceDto) {
    const token = this.devices.tokenOf(query.token, body.token);
    const workspace = await this.devices.setWorkspace(await this.devices.contextOf(principal, token), body.workspace);
    return { status: true, message: 'Workspace updated', token, workspace };
  }

  @Get('workspaces')
  @ProtectedRoute('List workspaces (protected)', '`data`: the workspace names; `workspaces`: each with its device count.')
  @ApiOkResponse({ type: ListResponseDto })
  async workspaces(@CurrentPrincipal() principal: Principal) {
    const workspaces = await this.devices.workspaces(principal);
    return { status: true, data: workspaces.map((w) => w.name), workspaces: workspaces.map((w) => ({ name: w.name, devices: w.sessions })) };
  }
}
