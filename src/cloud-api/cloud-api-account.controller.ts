import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { AppConfig } from '../config/app-config';
import { CloudApiAccountService } from './cloud-api-account.service';
import { CloudApiBusinessProfileService } from './cloud-api-business-profile.service';
import { CloudApiExceptionFilter } from './cloud-api-exception.filter';
import { CLOUD_API_PREFIX } from './cloud-api-routing';
import { GraphRootRequestError } from './cloud-api.errors';
import { CloudApiErrorDto, CloudApiSuccessDto } from './dto/cloud-api-message.dto';
import {
  CloudApiBusinessProfileListDto,
  CloudApiBusinessProfileUpdateDto,
  CloudApiDebugTokenDto,
  CloudApiRegisterDto,
  CloudApiSubscribeDto,
  CloudApiSubscribedAppsDto,
} from './dto/cloud-api-account.dto';

const WABA_PARAM = { name: 'wabaId', description: "The WhatsApp Business Account id of a workspace (GET /api/sessions/{id} shows it as wabaId)", example: '283719402711654' };
const PHONE_PARAM = { name: 'phoneNumberId', description: 'The canonical phone number id, or the session id, its mobile number or its mobid', example: '104918326650144' };

/**
 * The Cloud API's account routes (WABA subscribed apps, phone number registration and business
 * profile, token inspection). Registered before `CloudApiController` so `debug_token` and `me` win over its
 * `GET /{id}`.
 */
@ApiTags('Cloud API (Meta-compatible)')
@ApiBearerAuth()
@ApiSecurity('api-key')
@UseFilters(CloudApiExceptionFilter)
@Controller(CLOUD_API_PREFIX)
export class CloudApiAccountController {
  constructor(
    private readonly account: CloudApiAccountService,
    private readonly profiles: CloudApiBusinessProfileService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Graph root (credential check)',
    description: "`GET /{version}/` answers Graph's `GraphMethodException` 100/33 for a valid token and `OAuthException` 190 for an invalid one: n8n's WhatsApp credential test sends exactly this.",
  })
  @ApiOkResponse({ description: 'Never: always an error', type: CloudApiErrorDto })
  root(): never {
    throw new GraphRootRequestError();
  }

  @Get('debug_token')
  @ApiOperation({
    summary: "Inspect a token (Graph's debug_token)",
    description:
      'For any Switchboard credential: `is_valid`, `expires_at` (0: never), `scopes` and `granular_scopes` whose `target_ids` are the WABA ids the token may use. ' +
      'An unknown, revoked or expired token answers `is_valid: false` with Graph\'s error inside `data`.',
  })
  @ApiQuery({ name: 'input_token', required: true })
  @ApiOkResponse({ type: CloudApiDebugTokenDto })
  debugToken(@Query('input_token') inputToken: unknown): Promise<object> {
    return this.account.debugToken(inputToken);
  }

  @Get('me')
  @ApiOperation({ summary: 'The calling credential as a Graph user (`id`, `name`)' })
  @ApiQuery({ name: 'fields', required: false, example: 'id,name' })
  me(@CurrentPrincipal() principal: Principal, @Query('fields') fields: unknown): object {
    return this.account.me(principal, fields);
  }

  @Get(':wabaId/subscribed_apps')
  @ApiOperation({ summary: "The WABA's subscribed apps: Switchboard, with the callback its Cloud API webhooks post to" })
  @ApiParam(WABA_PARAM)
  @ApiOkResponse({ type: CloudApiSubscribedAppsDto })
  subscribedApps(@CurrentPrincipal() principal: Principal, @Param('wabaId') wabaId: string, @Req() req: Request): Promise<object> {
    return this.account.subscribedApps(principal, wabaId, `${this.origin(req)}/docs`);
  }

  @Post(':wabaId/subscribed_apps')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Subscribe a callback to the WABA (Cloud API webhooks for each of its sessions)',
    description:
      "With `override_callback_uri` and `verify_token`: Meta's verification GET (`hub.mode=subscribe&hub.verify_token&hub.challenge`) to the callback first, " +
      'then one `cloud-api`-format webhook per session of the WABA (replacing earlier ones). Optional `app_secret` (Switchboard extension) signs X-Hub-Signature-256.',
  })
  @ApiParam(WABA_PARAM)
  @ApiBody({ type: CloudApiSubscribeDto, required: false })
  @ApiOkResponse({ type: CloudApiSuccessDto })
  subscribe(@CurrentPrincipal() principal: Principal, @Param('wabaId') wabaId: string, @Body() body: Record<string, unknown> | undefined): Promise<object> {
    return this.account.subscribe(principal, wabaId, body ?? {});
  }

  @Delete(':wabaId/subscribed_apps')
  @ApiOperation({ summary: 'Unsubscribe: removes the webhooks POST subscribed_apps registered' })
  @ApiParam(WABA_PARAM)
  @ApiOkResponse({ type: CloudApiSuccessDto })
  unsubscribe(@CurrentPrincipal() principal: Principal, @Param('wabaId') wabaId: string): Promise<object> {
    return this.account.unsubscribe(principal, wabaId);
  }

  @Post(':phoneNumberId/register')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Register a phone number: starts the session',
    description: "Meta's checks apply (`messaging_product: \"whatsapp\"`, a 6-digit `pin`, not stored). A stopped session connects again with its stored credentials.",
  })
  @ApiParam(PHONE_PARAM)
  @ApiBody({ type: CloudApiRegisterDto })
  @ApiOkResponse({ type: CloudApiSuccessDto })
  register(@CurrentPrincipal() principal: Principal, @Param('phoneNumberId') ref: string, @Body() body: Record<string, unknown> | undefined): Promise<object> {
    return this.account.register(principal, ref, body ?? {});
  }

  @Post(':phoneNumberId/deregister')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deregister a phone number: stops the session (it stays linked; never logs out)' })
  @ApiParam(PHONE_PARAM)
  @ApiOkResponse({ type: CloudApiSuccessDto })
  deregister(@CurrentPrincipal() principal: Principal, @Param('phoneNumberId') ref: string, @Body() body: Record<string, unknown> | undefined): Promise<object> {
    return this.account.deregister(principal, ref, body ?? {});
  }

  @Get(':phoneNumberId/whatsapp_business_profile')
  @ApiOperation({
    summary: "The number's business profile (what a linked device sees of its own account)",
    description:
      "Meta's `{data:[{about, address, description, email, profile_picture_url, websites, vertical, messaging_product}]}` with `fields`. " +
      'about and the picture URL for every account; address, description, email, websites (and vertical OTHER) for a WhatsApp Business account.',
  })
  @ApiParam(PHONE_PARAM)
  @ApiQuery({ name: 'fields', required: false, example: 'about,description,profile_picture_url' })
  @ApiOkResponse({ type: CloudApiBusinessProfileListDto })
  businessProfile(@CurrentPrincipal() principal: Principal, @Param('phoneNumberId') ref: string, @Query('fields') fields: unknown): Promise<object> {
    return this.profiles.get(principal, ref, fields);
  }

  @Post(':phoneNumberId/whatsapp_business_profile')
  @HttpCode(200)
  @ApiOperation({
    summary: "Update the number's business profile",
    description:
      '`about` (1–139 characters) and `profile_picture_handle` (an uploaded JPEG/PNG media id) on every account; `address`, `description`, `email`, ' +
      '`websites` (at most 2) on a WhatsApp Business account only (100 otherwise). `vertical` is accepted but cannot be changed from a linked device.',
  })
  @ApiParam(PHONE_PARAM)
  @ApiBody({ type: CloudApiBusinessProfileUpdateDto })
  @ApiOkResponse({ type: CloudApiSuccessDto })
  updateBusinessProfile(@CurrentPrincipal() principal: Principal, @Param('phoneNumberId') ref: string, @Body() body: Record<string, unknown> | undefined): Promise<object> {
    return this.profiles.update(principal, ref, body ?? {});
  }

  private origin(req: Request): string {
    return this.config.http.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host')}`;
  }
}
