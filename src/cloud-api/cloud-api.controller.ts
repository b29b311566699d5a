import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Req, Res, UploadedFile, UseFilters, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
  getSchemaPath,
  ApiExtraModels,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { AppConfig } from '../config/app-config';
import { CloudApiAccountService } from './cloud-api-account.service';
import { CloudApiExceptionFilter } from './cloud-api-exception.filter';
import { CLOUD_API_PREFIX, cloudApiVersion } from './cloud-api-routing';
import { CloudApiMediaService } from './cloud-api-media.service';
import { CloudApiPhoneNumbersService } from './cloud-api-phone-numbers.service';
import { CloudApiService } from './cloud-api.service';
import { CloudApiRequestPipe } from './cloud-api-request.validation';
import type { CloudApiRequest } from './dto/cloud-api-request.schema';
import {
  CloudApiErrorDto,
  CloudApiSendMessageDto,
  CloudApiSendResponseDto,
  CloudApiSuccessDto,
} from './dto/cloud-api-message.dto';
import {
  CloudApiMediaIdDto,
  CloudApiMediaInfoDto,
  CloudApiPhoneNumberDto,
  CloudApiPhoneNumberListDto,
  CloudApiUploadDto,
} from './dto/cloud-api-media.dto';

const PHONE_PARAM = { name: 'phoneNumberId', description: 'Session id, its mobile number or its mobid', example: '919876543210' };
/** Graph media ids: 16 digits for uploads, longer for media of received messages. */
const MEDIA_ID = /^\d{16,39}$/;

/**
 * Meta's WhatsApp Cloud API, served by Switchboard. Clients call Meta's paths with any
 * `/vNN.N` prefix or none (`/v21.0/{phone-number-id}/messages`); `cloudApiRouting()` maps them
 * onto `/cloud-api/…`, the paths documented here. Errors are Meta's envelope (filter below).
 */
@ApiTags('Cloud API (Meta-compatible)')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiExtraModels(CloudApiSendMessageDto)
@ApiUnauthorizedResponse({ description: 'Graph 190 (invalid token) — 104 (no token) is a 400', type: CloudApiErrorDto })
@ApiBadRequestResponse({ description: "Meta's error envelope (100, 131008, 131009, 133010, 130429, …)", type: CloudApiErrorDto })
@UseFilters(CloudApiExceptionFilter)
@Controller(CLOUD_API_PREFIX)
export class CloudApiController {
  constructor(
    private readonly cloud: CloudApiService,
    private readonly media: CloudApiMediaService,
    private readonly numbers: CloudApiPhoneNumbersService,
    private readonly account: CloudApiAccountService,
    private readonly config: AppConfig,
  ) {}

  @Post(':phoneNumberId/messages')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a message, or mark one read (Meta Cloud API)',
    description:
      'Meta\'s `POST /{version}/{phone-number-id}/messages`, also without the version. Every type goes through the native queue: text, ' +
      'image/audio/video/document/sticker (by `link` or uploaded `id`), location, contacts, reaction, `context.message_id` replies, ' +
      'every interactive type (delivered as formatted text with numbered options — WhatsApp Web cannot send buttons; see docs/cloud-api.md) and template ' +
      '(rendered from /api/templates). Nested objects may be JSON text; `recipient` takes a business-scoped user id. `messages[0].id` is a `wamid.` that decodes to the WhatsApp id. With `status: "read"` and ' +
      '`message_id` it sends read receipts (and, with `typing_indicator`, shows "typing…") and answers `{"success": true}`. Also at `?access_token=`.',
  })
  @ApiParam(PHONE_PARAM)
  @ApiBody({ schema: { $ref: getSchemaPath(CloudApiSendMessageDto) } })
  @ApiOkResponse({ type: CloudApiSendResponseDto, description: 'Or `{"success": true}` for status read' })
  async send(
    @CurrentPrincipal() principal: Principal,
    @Param('phoneNumberId') phoneNumberId: string,
    @Body(CloudApiRequestPipe) body: CloudApiRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<object> {
    return this.cloud.handle(principal, phoneNumberId, body, idempotencyKey);
  }

  @Post(':phoneNumberId/media')
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('file'))
  @ApiOperation({
    summary: 'Upload media (Meta Cloud API)',
    description: 'Multipart `file` with `type` and `messaging_product` as form fields or query parameters. Meta\'s types and sizes apply. The id is usable for 30 days.',
  })
  @ApiParam(PHONE_PARAM)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: CloudApiUploadDto })
  @ApiOkResponse({ type: CloudApiMediaIdDto })
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Param('phoneNumberId') phoneNumberId: string,
    @UploadedFile() file: { buffer: Buffer; originalname?: string; mimetype?: string } | undefined,
    @Body() form: Record<string, unknown> | undefined,
    @Query('type') queryType: string | undefined,
  ): Promise<CloudApiMediaIdDto> {
    const type = typeof form?.type === 'string' ? form.type : queryType;
    return this.media.upload(principal, phoneNumberId, file, type);
  }

  @Get('media-download/:mediaId')
  @ApiOperation({
    summary: 'Download media (the URL returned by GET /{media-id})',
    description: 'Needs the same Bearer token. The URL expires (CLOUD_API_MEDIA_URL_TTL_SECONDS); then fetch a fresh one.',
  })
  @ApiParam({ name: 'mediaId' })
  @ApiQuery({ name: 'ext', required: true })
  @ApiQuery({ name: 'hash', required: true })
  @ApiOkResponse({ description: 'The bytes, with the media\'s Content-Type' })
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('mediaId') mediaId: string,
    @Query('ext') ext: string | undefined,
    @Query('hash') hash: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const { data, mimeType } = await this.media.download(principal, mediaId, ext, hash);
    res.status(200).setHeader('Content-Type', mimeType);
    res.setHeader('Content-Length', String(data.length));
    res.end(data);
  }

  @Get(':wabaId/phone_numbers')
  @ApiOperation({
    summary: "List a WhatsApp Business Account's phone numbers (Meta Cloud API)",
    description:
      "The sessions of the WABA's workspace that the credential may use, newest first, with `fields`, `limit` (default 25) and cursor paging " +
      '(`after`/`before`; `paging.next` when there are more). A `wabaId` that is not WABA-shaped lists every number the credential may use.',
  })
  @ApiParam({ name: 'wabaId', description: 'The WABA id (GET /api/sessions/{id} shows it as wabaId)' })
  @ApiQuery({ name: 'fields', required: false, example: 'display_phone_number,verified_name' })
  @ApiQuery({ name: 'limit', required: false, example: 25 })
  @ApiQuery({ name: 'after', required: false })
  @ApiQuery({ name: 'before', required: false })
  @ApiOkResponse({ type: CloudApiPhoneNumberListDto })
  async phoneNumbers(
    @CurrentPrincipal() principal: Principal,
    @Param('wabaId') wabaId: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
  ): Promise<object> {
    const one = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? undefined : String(v));
    const url = new URL(`${this.baseUrl(req)}/${encodeURIComponent(wabaId)}/phone_numbers${req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : ''}`);
    return this.account.phoneNumbers(principal, wabaId, query.fields, { limit: one(query.limit), after: one(query.after), before: one(query.before) }, url);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Phone number, WhatsApp Business Account, or media URL (Meta Cloud API)',
    description:
      '`GET /{phone-number-id}[?fields=]` answers the phone number node (every field Meta documents is accepted; those a linked device cannot fill are left out); ' +
      '`GET /{waba-id}[?fields=]` the WABA (id, name, currency, timezone_id, message_template_namespace); `GET /{media-id}[?phone_number_id=]` answers ' +
      '`{url, mime_type, sha256, file_size, id, messaging_product}` with an absolute, expiring download URL on this server.',
  })
  @ApiParam({ name: 'id', description: 'A phone number id (canonical id, session id, number, mobid), a WABA id, or a media id (16+ digits)' })
  @ApiQuery({ name: 'fields', required: false })
  @ApiQuery({ name: 'phone_number_id', required: false })
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(CloudApiPhoneNumberDto) }, { $ref: getSchemaPath(CloudApiMediaInfoDto) }] } })
  @ApiExtraModels(CloudApiPhoneNumberDto, CloudApiMediaInfoDto)
  async node(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query('fields') fields: unknown,
    @Query('phone_number_id') phoneNumberId: string | undefined,
    @Req() req: Request,
  ): Promise<object> {
    if (MEDIA_ID.test(id)) return this.media.info(principal, id, phoneNumberId || undefined, this.baseUrl(req));
    // Graph ids: 15 digits, a WABA's start with 2, a phone number's with 1 (media ids are longer).
    if (await this.account.isWaba(principal, id)) return this.account.waba(principal, id, fields);
    return this.numbers.info(principal, id, fields);
  }

  @Delete(':mediaId')
  @ApiOperation({ summary: 'Delete uploaded media (Meta Cloud API)', description: 'With `phone_number_id`, only media of that number.' })
  @ApiParam({ name: 'mediaId' })
  @ApiQuery({ name: 'phone_number_id', required: false })
  @ApiOkResponse({ type: CloudApiSuccessDto })
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('mediaId') mediaId: string,
    @Query('phone_number_id') phoneNumberId: string | undefined,
  ): Promise<CloudApiSuccessDto> {
    await this.media.remove(principal, mediaId, phoneNumberId || undefined);
    return { success: true };
  }

  /** Absolute base of download URLs: PUBLIC_URL, else the host the client called, plus its Graph version. */
  private baseUrl(req: Request): string {
    const origin = this.config.http.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host')}`;
    return `${origin}/${cloudApiVersion(req) ?? 'v21.0'}`;
  }
}
