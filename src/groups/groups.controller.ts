import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { ApiSessionParam } from '../common/swagger/api-session-param';
import type { SessionEntity } from '../sessions/entities/session.entity';
import { RouteSession } from '../sessions/session.pipe';
import { GroupsService } from './groups.service';

class RefreshQueryDto {
  @ApiPropertyOptional({ description: 'Bypass the 4-minute cache' })
  @IsOptional() @Transform(({ value }) => value === 'true' || value === '1' || value === true) @IsBoolean()
  refresh?: boolean;
}

class GroupDto {
  @ApiProperty({ example: '120363041234567890@g.us' }) jid: string;
  @ApiProperty({ example: 'Support team' }) subject: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ nullable: true, type: String }) owner: string | null;
  @ApiProperty({ nullable: true, type: Number }) createdAt: number | null;
  @ApiProperty({ example: [{ jid: '919846303025@s.whatsapp.net', phoneNumber: '919846303025', admin: 'admin' }] })
  participants: { jid: string; phoneNumber: string | null; admin: string | null }[];
}

class GroupListResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: [GroupDto] }) groups: GroupDto[];
  @ApiProperty({ format: 'date-time' }) cachedAt: string;
  @ApiProperty() fromCache: boolean;
}

class GroupResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: GroupDto }) group: GroupDto;
}

@ApiTags('Groups')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/sessions/:sessionId/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  @ApiOperation({ summary: 'Groups the account is in', description: 'Cached for 4 minutes; ?refresh=true asks WhatsApp again. Send to a group with its JID as `to`.' })
  @ApiSessionParam()
  @ApiOkResponse({ type: GroupListResponseDto })
  @ApiErrorResponses(401, 403, 404, 409)
  async list(@RouteSession() session: SessionEntity, @Query() q: RefreshQueryDto): Promise<GroupListResponseDto> {
    return { success: true, ...(await this.groups.list(session, q.refresh)) };
  }

  @Get(':groupId')
  @ApiOperation({ summary: 'One group with its participants' })
  @ApiSessionParam()
  @ApiParam({ name: 'groupId', description: 'Group JID or its id part' })
  @ApiQuery({ name: 'refresh', required: false, type: Boolean })
  @ApiOkResponse({ type: GroupResponseDto })
  @ApiErrorResponses(401, 403, 404, 409)
  async get(
    @RouteSession() session: SessionEntity,
    @Param('groupId') groupId: string,
    @Query() q: RefreshQueryDto,
  ): Promise<GroupResponseDto> {
    return { success: true, group: await this.groups.get(session, groupId, q.refresh) };
  }
}
