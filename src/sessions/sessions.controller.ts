import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  type ApiOperationOptions,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal } from '../auth/decorators';
import { Principal } from '../auth/principal';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { ApiSessionParam } from '../common/swagger/api-session-param';
import {
  CreateSessionDto,
  CreateSessionResponseDto,
  ListSessionsQueryDto,
  DeleteSessionResponseDto,
  QrQueryDto,
  QrResponseDto,
  SessionActionResponseDto,
  SessionListResponseDto,
  SessionResponseDto,
  StatusHistoryResponseDto,
  UpdateSessionSettingsDto,
} from './dto/session.dto';
import type { SessionEntity } from './entities/session.entity';
import { RouteSession } from './session.pipe';
import { SessionsService } from './sessions.service';

/**
 * `POST /api/sessions/{sessionId}/<action>`: a lifecycle change of one session, answered 200
 * with a message and the session as it is now; 409 when the session's state does not allow it.
 */
const SessionAction = (action: string, operation: ApiOperationOptions) =>
  applyDecorators(
    Post(`:sessionId/${action}`),
    HttpCode(200),
    ApiOperation(operation),
    ApiSessionParam(),
    ApiOkResponse({ type: SessionActionResponseDto }),
    ApiErrorResponses(401, 403, 404, 409),
  );

@ApiTags('Sessions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({ summary: 'List sessions', description: 'All registering, ready and inactive sessions. A session-bound token sees its own only.' })
  @ApiOkResponse({ type: SessionListResponseDto })
  @ApiErrorResponses(400, 401)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListSessionsQueryDto): Promise<SessionListResponseDto> {
    return { success: true, ...(await this.sessions.list(principal, query)) };
  }

  @Post()
  @ApiBody({
    type: CreateSessionDto,
    examples: {
      qr: { summary: 'Link by scanning a QR code', value: { name: 'Support' } },
      phone: { summary: 'Link with a pairing code', value: { name: 'Support', method: 'phone', phoneNumber: '+91 98765 43210' } },
      workspace: { summary: 'In a workspace', value: { name: 'Support', workspace: 'support' } },
    },
  })
  @ApiOperation({
    summary: 'Create a session',
    description: 'Starts linking a WhatsApp account. Fetch the QR (method "qr") or pairing code (method "phone") from GET /api/sessions/{sessionId}/qr.',
  })
  @ApiCreatedResponse({ type: CreateSessionResponseDto })
  @ApiErrorResponses(400, 401, 403)
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateSessionDto): Promise<CreateSessionResponseDto> {
    const s = await this.sessions.create(principal, dto);
    return {
      success: true,
      message: 'Session initialized',
      session: { sessionId: s.id, status: s.status, method: s.method, name: s.name, engine: s.engine },
    };
  }

  @Get(':sessionId')
  @ApiOperation({ summary: 'Session info', description: 'Status, account, health (connected since, last seen, last error, reconnect attempts) and settings.' })
  @ApiSessionParam()
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiErrorResponses(401, 403, 404)
  async get(@RouteSession() session: SessionEntity): Promise<SessionResponseDto> {
    return { success: true, session: await this.sessions.get(session) };
  }

  @Get(':sessionId/qr')
  @ApiErrorResponses('SESSION_ALREADY_LINKED', 'QR_NOT_AVAILABLE')
  @ApiOperation({
    summary: 'QR code or pairing code',
    description:
      'While the session is linking: the QR string and a PNG data URL (method "qr"), or the pairing code (method "phone"). ' +
      '`?format=png` returns the image itself. 409 SESSION_ALREADY_LINKED once linked. An idle unlinked session is started to produce a fresh QR.',
  })
  @ApiSessionParam()
  @ApiProduces('application/json', 'image/png')
  @ApiOkResponse({ type: QrResponseDto })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async qr(
    @RouteSession() session: SessionEntity,
    @Query() query: QrQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<QrResponseDto | void> {
    const result = await this.sessions.qr(session, query.format ?? 'json');
    res.setHeader('Cache-Control', 'no-store');
    if (result.kind === 'json') return result.body;
    res.type('png').send(result.png);
  }

  @Get(':sessionId/status-history')
  @ApiOperation({ summary: 'Status changes of a session, newest first (last 200)' })
  @ApiSessionParam()
  @ApiOkResponse({ type: StatusHistoryResponseDto })
  @ApiErrorResponses(401, 403, 404)
  async history(@RouteSession() session: SessionEntity): Promise<StatusHistoryResponseDto> {
    return { success: true, history: await this.sessions.statusHistory(session) };
  }

  @Patch(':sessionId/settings')
  @ApiBody({
    type: UpdateSessionSettingsDto,
    examples: {
      careful: { summary: 'Careful pacing (8–22 s between sends)', value: { preset: 'careful' } },
      cap: { summary: 'At most 1000 sends a day', value: { dailyLimit: 1000 } },
      optIn: { summary: 'Ask contacts to opt in first', value: { requireOptIn: true } },
    },
  })
  @ApiOperation({
    summary: 'Update session policy',
    description:
      'Pacing between sends (random in [minDelayMs, maxDelayMs]; preset "careful" = 8–22 s), a daily cap, opt-in requirement and workspace. Omitted fields stay as they are.',
  })
  @ApiSessionParam()
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async updateSettings(
    @CurrentPrincipal() principal: Principal,
    @RouteSession() session: SessionEntity,
    @Body() dto: UpdateSessionSettingsDto,
  ): Promise<SessionResponseDto> {
    return { success: true, session: await this.sessions.updateSettings(principal, session, dto) };
  }

  @Delete(':sessionId')
  @ApiOperation({ summary: 'Delete a session', description: 'Logs the device out, deletes the stored credentials and marks the session INACTIVE.' })
  @ApiSessionParam()
  @ApiOkResponse({ type: DeleteSessionResponseDto })
  @ApiErrorResponses(401, 403, 404, 409)
  async remove(@RouteSession() session: SessionEntity): Promise<DeleteSessionResponseDto> {
    await this.sessions.remove(session);
    return { success: true, message: 'Session deleted and logged out successfully' };
  }

  @SessionAction('restart', { summary: 'Reconnect', description: 'Closes the connection and opens a new one with the same credentials.' })
  async restart(@RouteSession() session: SessionEntity): Promise<SessionActionResponseDto> {
    return { success: true, message: 'Session restarting', session: await this.sessions.apply(session, 'restart') };
  }

  @SessionAction('start', { summary: 'Start a stopped session', description: 'Idempotent.' })
  async start(@RouteSession() session: SessionEntity): Promise<SessionActionResponseDto> {
    return { success: true, message: 'Session starting', session: await this.sessions.apply(session, 'start') };
  }

  @SessionAction('stop', { summary: 'Stop a session', description: 'Closes the connection without unlinking; it stays INACTIVE until started. Idempotent.' })
  async stop(@RouteSession() session: SessionEntity): Promise<SessionActionResponseDto> {
    return { success: true, message: 'Session stopped', session: await this.sessions.apply(session, 'stop') };
  }

  @SessionAction('logout', { summary: 'Log out', description: 'Unlinks the device and wipes its credentials but keeps the session record (LOGGED_OUT).' })
  async logout(@RouteSession() session: SessionEntity): Promise<SessionActionResponseDto> {
    return { success: true, message: 'Session logged out', session: await this.sessions.apply(session, 'logout') };
  }

  @SessionAction('relink', { summary: 'Relink', description: 'Forgets the current link and starts a fresh one: a new QR or pairing code.' })
  async relink(@RouteSession() session: SessionEntity): Promise<SessionActionResponseDto> {
    return { success: true, message: 'Session relinking', session: await this.sessions.apply(session, 'relink') };
  }
}
