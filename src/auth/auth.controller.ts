import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/decorators/public.decorator';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { AuthService } from './auth.service';
import { AUTH_COOKIE } from './credentials';
import { AdminOnly, CurrentPrincipal } from './decorators';
import {
  ChangePasswordDto,
  CreatedTokenResponseDto,
  CreateTokenDto,
  JwtResponseDto,
  LoginDto,
  SuccessResponseDto,
  TokenListResponseDto,
  VerifyResponseDto,
} from './dto/auth.dto';
import { toTokenDto } from './token.mapper';
import { Principal } from './principal';
import { ApiTokensService } from './api-tokens.service';

@ApiTags('Auth')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: ApiTokensService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with the admin password', description: 'Returns a JWT and sets it as an HttpOnly cookie.' })
  @ApiOkResponse({ type: JwtResponseDto })
  @ApiErrorResponses(400, 'INVALID_CREDENTIALS', 'PASSWORD_NOT_SET', 429)
  async login(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<JwtResponseDto> {
    const { token, expiresIn } = await this.auth.login(dto.password, req.ip);
    res.cookie(AUTH_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      maxAge: expiresIn * 1000,
      path: '/',
    });
    return { success: true, token, expiresIn };
  }

  @Post('logout')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log out', description: 'Clears the login cookie.' })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiErrorResponses(401)
  logout(@Res({ passthrough: true }) res: Response): SuccessResponseDto {
    res.clearCookie(AUTH_COOKIE, { path: '/' });
    return { success: true, message: 'Logged out' };
  }

  @AdminOnly()
  @Post('change-password')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Set or change the admin password',
    description: 'currentPassword is required when a password exists. Every login JWT issued before stops working.',
  })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiErrorResponses(400, 401, 'INVALID_CREDENTIALS', 'ADMIN_REQUIRED', 429)
  async changePassword(@Body() dto: ChangePasswordDto, @Req() req: Request): Promise<SuccessResponseDto> {
    await this.auth.changePassword(dto.currentPassword ?? dto.oldPassword, dto.newPassword, req.ip);
    return { success: true, message: 'Password changed' };
  }

  @Get('verify')
  @ApiOperation({ summary: 'Check the credential of this request' })
  @ApiOkResponse({ type: VerifyResponseDto })
  @ApiErrorResponses(401)
  verify(@CurrentPrincipal() principal: Principal): VerifyResponseDto {
    return {
      success: true,
      data: { valid: true, kind: principal.kind, isAdmin: principal.isAdmin, sessionId: principal.sessionId, workspace: principal.workspace },
    };
  }

  @AdminOnly()
  @Get('token')
  @ApiOperation({
    summary: 'Get the application authorization token',
    description:
      'Issues an admin JWT for local admin integrations (the session-manager contract). Admin only. A JWT issued to an API token stops working within seconds of the token being revoked (or expiring); one issued to the API_KEY when API_KEY changes; every JWT when the password changes.',
  })
  @ApiOkResponse({ type: JwtResponseDto })
  @ApiErrorResponses(401, 'ADMIN_REQUIRED')
  async appToken(@CurrentPrincipal() principal: Principal): Promise<JwtResponseDto> {
    const { token, expiresIn } = await this.auth.issueJwt(principal);
    return { success: true, token, expiresIn };
  }

  @AdminOnly()
  @Post('tokens')
  @ApiBody({
    type: CreateTokenDto,
    examples: {
      session: { summary: 'For one session', value: { name: 'crm-integration', sessionId: '919876543210' } },
      api: { summary: 'For every session, expiring', value: { name: 'reporting', expiresIn: '30d' } },
    },
  })
  @ApiOperation({
    summary: 'Create an API token',
    description:
      'The token is returned once; only its hash is stored. A token bound to a session (or workspace) can act on that session (or workspace) only, and is never an admin: role "admin" with sessionId or workspace is refused (400).',
  })
  @ApiCreatedResponse({ type: CreatedTokenResponseDto })
  @ApiErrorResponses(400, 401, 'ADMIN_REQUIRED', 404)
  async createToken(@CurrentPrincipal() principal: Principal, @Body() dto: CreateTokenDto): Promise<CreatedTokenResponseDto> {
    const { entity, token } = await this.tokens.create(principal, dto);
    return { success: true, token, ...toTokenDto(entity) };
  }

  @AdminOnly()
  @Get('tokens')
  @ApiOperation({ summary: 'List API tokens (without their secrets)' })
  @ApiOkResponse({ type: TokenListResponseDto })
  @ApiErrorResponses(401, 'ADMIN_REQUIRED')
  async listTokens(): Promise<TokenListResponseDto> {
    return { success: true, tokens: (await this.tokens.list()).map(toTokenDto) };
  }

  @AdminOnly()
  @Delete('tokens/:id')
  @ApiOperation({ summary: 'Revoke an API token', description: 'Idempotent.' })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiErrorResponses(400, 401, 'ADMIN_REQUIRED', 'TOKEN_NOT_FOUND')
  async revokeToken(@Param('id', new ParseUUIDPipe()) id: string): Promise<SuccessResponseDto> {
    await this.tokens.revoke(id);
    return { success: true, message: 'Token revoked' };
  }
}
