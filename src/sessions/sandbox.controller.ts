import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { ApiSessionParam } from '../common/swagger/api-session-param';
import { InboundResponseDto, SandboxCallDto, SandboxInboundDto, SandboxLinkDto, SessionActionResponseDto } from './dto/session.dto';
import type { SessionEntity } from './entities/session.entity';
import { RouteSession } from './session.pipe';
import { SessionsService } from './sessions.service';

/** Controls of the sandbox engine (WA_ENGINE=sandbox); 409 ENGINE_UNSUPPORTED on real sessions. */
@ApiTags('Sandbox')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiSessionParam()
@ApiErrorResponses(400, 401, 403, 404, 409)
@Controller('api/sessions/:sessionId/sandbox')
export class SandboxController {
  constructor(private readonly sessions: SessionsService) {}

  @Post('link')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sandbox: complete the link',
    description: 'Acts as the phone scanning the QR (or typing the pairing code). The session becomes READY with this mobile number and a stable LID-like mobid.',
  })
  @ApiOkResponse({ type: SessionActionResponseDto })
  async link(@RouteSession() session: SessionEntity, @Body() dto: SandboxLinkDto): Promise<SessionActionResponseDto> {
    return { success: true, message: 'Sandbox session linked', session: await this.sessions.sandboxLink(session, dto.phoneNumber) };
  }

  @Post('inbound')
  @HttpCode(202)
  @ApiOperation({ summary: 'Sandbox: a contact sends a text to this session' })
  @ApiAcceptedResponse({ type: InboundResponseDto })
  async inbound(@RouteSession() session: SessionEntity, @Body() dto: SandboxInboundDto): Promise<InboundResponseDto> {
    return { success: true, message: await this.sessions.sandboxInbound(session, dto.from, dto.text) };
  }

  @Post('call')
  @HttpCode(202)
  @ApiOperation({ summary: 'Sandbox: a contact calls this session', description: 'Handled like a real call: a call.received event, declined when rejectCalls is on.' })
  @ApiAcceptedResponse({ schema: { example: { success: true, call: { id: 'A1B2C3…' } } } })
  async call(@RouteSession() session: SessionEntity, @Body() dto: SandboxCallDto): Promise<{ success: true; call: { id: string } }> {
    return { success: true, call: await this.sessions.sandboxCall(session, dto.from, dto.isVideo ?? false) };
  }
}
