import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { AppConfig } from '../config/app-config';
import { CloudApiExceptionFilter } from './cloud-api-exception.filter';
import { CLOUD_API_PREFIX, cloudApiVersion } from './cloud-api-routing';
import { CloudApiTemplatesService, type TemplateListPage, type TemplateListQuery } from './cloud-api-templates.service';
import { CloudApiErrorDto, CloudApiSuccessDto } from './dto/cloud-api-message.dto';

const WABA_PARAM = { name: 'wabaId', description: 'The WhatsApp Business Account id of a workspace (15 digits, starting with 2)', example: '201234567890123' };

/**
 * Meta's message template management on a WhatsApp Business Account
 * (`/{version}/{waba-id}/message_templates`), over the native template store.
 */
@ApiTags('Cloud API (Meta-compatible)')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'Graph 190 (invalid token) — 104 (no token) is a 400', type: CloudApiErrorDto })
@ApiBadRequestResponse({ description: "Meta's error envelope (100, 100/33 unknown WABA, 100/2388024 name exists in that language)", type: CloudApiErrorDto })
@UseFilters(CloudApiExceptionFilter)
@Controller(CLOUD_API_PREFIX)
export class CloudApiTemplatesController {
  constructor(
    private readonly templates: CloudApiTemplatesService,
    private readonly config: AppConfig,
  ) {}

  @Get(':wabaId/message_templates')
  @ApiOperation({
    summary: "List the account's message templates (Meta Cloud API)",
    description:
      'Global templates, the workspace\'s and those of its sessions, in Meta\'s `{data, paging:{cursors:{before, after}, next}}` shape. `name` and `content` ' +
      'match part of the name / text, `status`, `category` and `language` take comma-separated values; `summary` adds the counts. `paging.next` keeps the query (and `access_token`).',
  })
  @ApiParam(WABA_PARAM)
  @ApiQuery({ name: 'fields', required: false, example: 'name,language,status,components' })
  @ApiQuery({ name: 'limit', required: false, example: 25 })
  @ApiQuery({ name: 'after', required: false })
  @ApiQuery({ name: 'before', required: false })
  @ApiQuery({ name: 'name', required: false })
  @ApiQuery({ name: 'status', required: false, example: 'APPROVED' })
  @ApiQuery({ name: 'category', required: false, example: 'UTILITY' })
  @ApiQuery({ name: 'language', required: false, example: 'en_US' })
  @ApiQuery({ name: 'summary', required: false, example: 'total_count' })
  @ApiOkResponse({
    schema: {
      example: {
        data: [{ name: 'order_update', parameter_format: 'POSITIONAL', components: [{ type: 'BODY', text: 'Hi {{1}}' }], language: 'en_US', status: 'APPROVED', category: 'UTILITY', id: '312345678901234' }],
        paging: { cursors: { before: 'b2Zmc2V0OjA', after: 'b2Zmc2V0OjE' } },
      },
    },
  })
  async list(@CurrentPrincipal() principal: Principal, @Param('wabaId') wabaId: string, @Query() query: TemplateListQuery, @Req() req: Request): Promise<TemplateListPage> {
    return this.templates.list(principal, wabaId, query, (after, before) => this.pageUrl(req, after, before));
  }

  @Post(':wabaId/message_templates')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a message template (Meta Cloud API)',
    description:
      "Meta's body: `name` (lowercase, digits, underscores, ≤512), `language`, `category` (MARKETING, UTILITY, AUTHENTICATION), `components` " +
      '(HEADER TEXT/IMAGE/VIDEO/DOCUMENT/LOCATION, BODY, FOOTER, BUTTONS QUICK_REPLY/URL/PHONE_NUMBER/COPY_CODE/OTP/FLOW/CATALOG/MPM/VOICE_CALL, with `example`s), ' +
      '`parameter_format`. APPROVED at once: there is no review, a linked device sends the rendered text. The template is listed in /api/templates ' +
      'and sendable as `type: "template"` by every session of the workspace.',
  })
  @ApiParam(WABA_PARAM)
  @ApiBody({
    schema: {
      example: {
        name: 'order_update',
        language: 'en_US',
        category: 'UTILITY',
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#42'] } },
          { type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.', example: { body_text: [['Alice', '#42']] } },
          { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://example.com/t/{{1}}', example: ['https://example.com/t/42'] }] },
        ],
      },
    },
  })
  @ApiOkResponse({ schema: { example: { id: '312345678901234', status: 'APPROVED', category: 'UTILITY' } } })
  async create(@CurrentPrincipal() principal: Principal, @Param('wabaId') wabaId: string, @Body() body: unknown): Promise<object> {
    return this.templates.create(principal, wabaId, body);
  }

  @Delete(':wabaId/message_templates')
  @ApiOperation({ summary: 'Delete a message template (Meta Cloud API)', description: '`?name=` deletes every language of the name; with `hsm_id` (the template id) only that one.' })
  @ApiParam(WABA_PARAM)
  @ApiQuery({ name: 'name', required: true })
  @ApiQuery({ name: 'hsm_id', required: false })
  @ApiOkResponse({ type: CloudApiSuccessDto })
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('wabaId') wabaId: string,
    @Query('name') name: string | undefined,
    @Query('hsm_id') hsmId: string | undefined,
  ): Promise<{ success: true }> {
    return this.templates.remove(principal, wabaId, name || undefined, hsmId || undefined);
  }

  /** The same list request at another cursor, as an absolute URL (Chatwoot follows `next` as it is, token in the query). */
  private pageUrl(req: Request, after: string | null, before: string | null): string {
    const origin = this.config.http.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host')}`;
    const [path, query = ''] = (req.originalUrl ?? req.url).split('?');
    const params = new URLSearchParams(query);
    params.delete('after');
    params.delete('before');
    if (after) params.set('after', after);
    if (before) params.set('before', before);
    const version = cloudApiVersion(req);
    const rest = path.replace(/^\/v\d+\.\d+/, '').replace(new RegExp(`^/${CLOUD_API_PREFIX}(?=/)`), '');
    return `${origin}${version ? `/${version}` : ''}${rest}?${params.toString()}`;
  }
}
