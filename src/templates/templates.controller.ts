import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import {
  CreateTemplateDto,
  ListTemplatesQueryDto,
  TemplateListResponseDto,
  TemplateResponseDto,
  UpdateTemplateDto,
} from './dto/template.dto';
import { TemplatesService } from './templates.service';

@ApiTags('Templates')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Post()
  @ApiOperation({
    summary: 'Define a message template',
    description:
      'Templates back the Cloud API facade\'s `type: "template"` sends. Components use Meta\'s template format (HEADER, BODY, FOOTER, BUTTONS; ' +
      'placeholders {{1}}… or {{name}}). WhatsApp Web has no template messages, so a send renders the template into a text (or a captioned media ' +
      'message for a media header) with the parameters filled in; quick-reply buttons become numbered options. Without `sessionId` the template serves every session.',
  })
  @ApiCreatedResponse({ type: TemplateResponseDto })
  @ApiErrorResponses(400, 401, 'FORBIDDEN', 404, 'TEMPLATE_EXISTS')
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateTemplateDto): Promise<TemplateResponseDto> {
    return { success: true, template: await this.templates.create(principal, dto) };
  }

  @Get()
  @ApiOperation({ summary: 'List message templates', description: 'Global templates and those of the sessions this credential may use.' })
  @ApiOkResponse({ type: TemplateListResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListTemplatesQueryDto): Promise<TemplateListResponseDto> {
    return { success: true, templates: await this.templates.list(principal, query) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One message template' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TemplateResponseDto })
  @ApiErrorResponses(401, 'TEMPLATE_NOT_FOUND')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<TemplateResponseDto> {
    return { success: true, template: await this.templates.get(principal, id) };
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a template', description: 'PAUSED and DISABLED templates are refused at send time with Meta\'s 132015 / 132016.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TemplateResponseDto })
  @ApiErrorResponses(400, 401, 'FORBIDDEN', 'TEMPLATE_NOT_FOUND')
  async update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() dto: UpdateTemplateDto): Promise<TemplateResponseDto> {
    return { success: true, template: await this.templates.update(principal, id, dto) };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a template' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ schema: { example: { success: true } } })
  @ApiErrorResponses(401, 'FORBIDDEN', 'TEMPLATE_NOT_FOUND')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<{ success: true }> {
    await this.templates.remove(principal, id);
    return { success: true };
  }
}
