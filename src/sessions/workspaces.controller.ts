import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { SessionResponseDto, WorkspacesResponseDto } from './dto/session.dto';
import { SessionsService } from './sessions.service';

class AssignWorkspaceDto {
  @ApiProperty({ description: 'The session (id, number or mobid); the device-token gateway calls it the device token', example: '919876543210' })
  @IsString() @IsNotEmpty() @MaxLength(200)
  token: string;

  @ApiProperty({ nullable: true, example: 'support' })
  @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(100)
  workspace: string | null;
}

/** Workspaces (the device-token gateway): a label on sessions, used to filter listings and to scope tokens. */
@ApiTags('Sessions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api')
export class WorkspacesController {
  constructor(private readonly sessions: SessionsService) {}

  @Get('workspaces')
  @ApiOperation({ summary: 'Workspaces in use, with their session counts' })
  @ApiOkResponse({ type: WorkspacesResponseDto })
  @ApiErrorResponses(401)
  async list(@CurrentPrincipal() principal: Principal): Promise<WorkspacesResponseDto> {
    return { success: true, workspaces: await this.sessions.workspaces(principal) };
  }

  @Post('workspace')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign a session to a workspace (the device-token gateway)', description: 'Same as PATCH /api/sessions/{id}/settings {workspace}.' })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async assign(@CurrentPrincipal() principal: Principal, @Body() dto: AssignWorkspaceDto): Promise<SessionResponseDto> {
    return { success: true, session: await this.sessions.assignWorkspace(principal, dto.token, dto.workspace) };
  }
}
