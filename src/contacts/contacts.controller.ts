import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { ApiSessionParam } from '../common/swagger/api-session-param';
import type { SessionEntity } from '../sessions/entities/session.entity';
import { RouteSession } from '../sessions/session.pipe';
import { ContactsService } from './contacts.service';
import { ContactListResponseDto, ContactResponseDto, ListContactsQueryDto, SetOptInDto } from './dto/contact.dto';

@ApiTags('Contacts')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get('contacts')
  @ApiOperation({ summary: 'Contacts across the sessions this credential may see', description: 'Search with q; page and limit.' })
  @ApiOkResponse({ type: ContactListResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async listAll(@CurrentPrincipal() principal: Principal, @Query() query: ListContactsQueryDto): Promise<ContactListResponseDto> {
    return { success: true, ...(await this.contacts.list(principal, { ...query, sessionRef: query.sessionId })) };
  }

  @Get('sessions/:sessionId/contacts')
  @ApiOperation({ summary: 'Contacts of one session', description: 'From WhatsApp contact sync and from everyone who wrote to the session.' })
  @ApiSessionParam()
  @ApiOkResponse({ type: ContactListResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async list(
    @CurrentPrincipal() principal: Principal,
    @RouteSession() session: SessionEntity,
    @Query() query: ListContactsQueryDto,
  ): Promise<ContactListResponseDto> {
    return { success: true, ...(await this.contacts.list(principal, query, session)) };
  }

  @Patch('sessions/:sessionId/contacts/:contact')
  @ApiOperation({ summary: "Set a contact's opt-in", description: 'Records consent given elsewhere; emits contact.opt_in.' })
  @ApiSessionParam()
  @ApiParam({ name: 'contact', description: 'Phone number or JID' })
  @ApiOkResponse({ type: ContactResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async setOptIn(
    @RouteSession() session: SessionEntity,
    @Param('contact') contact: string,
    @Body() dto: SetOptInDto,
  ): Promise<ContactResponseDto> {
    return { success: true, contact: await this.contacts.setOptIn(session, contact, dto.optIn) };
  }
}
