import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AUTH_COOKIE, extractCredential } from '../../auth/credentials';
import { CurrentPrincipal } from '../../auth/decorators';
import type { Principal } from '../../auth/principal';
import { ForProductApi } from '../../auth/product-api';
import { Public } from '../../common/decorators/public.decorator';
import { ChangePasswordDto, LoginResponseDto, PasswordDto, PermanentTokenDto, SuccessResponseDto, VerifyDto, VerifyResponseDto } from './phones.dto';
import { PhonesAuthService } from './phones-auth.service';
import { PhonesErrors } from './phones-swagger';

/** The login cookie is scoped to this API's base path. */
export const PHONES_COOKIE_PATH = '/compat/phones';

@ApiTags('Authentication')
@ApiBearerAuth()
@ForProductApi('phones')
@Controller('compat/phones/api/v1/auth')
export class PhonesAuthController {
  constructor(private readonly auth: PhonesAuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Login to get authentication token', description: 'Sets the JWT as the HttpOnly cookie sb_token (7 days) and returns it.' })
  @ApiOkResponse({ type: LoginResponseDto })
  @PhonesErrors(400, 401, 409, 429)
  async login(@Body() dto: PasswordDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<LoginResponseDto> {
    const { token, expiresIn } = await this.auth.login(dto.password, req.ip);
    res.cookie(AUTH_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: req.secure, maxAge: expiresIn * 1000, path: PHONES_COOKIE_PATH });
    return { success: true, data: { token, expiresIn } };
  }

  @Post('generate-token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Generate a non-expiring user token (displayed once)', description: 'Needs a credential of this API (the login cookie) and the password.' })
  @ApiOkResponse({ type: PermanentTokenDto })
  @PhonesErrors(400, 401, 409, 429)
  async generateToken(@Body() dto: PasswordDto, @Req() req: Request): Promise<PermanentTokenDto> {
    const token = await this.auth.generateToken(dto.password, req.ip);
    return { token, expiresIn: null, data: { token, expiresIn: null } };
  }

  @Post('change-password')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Set or change the local password',
    description: 'oldPassword is optional only while no password is set; then the server admin credential is required. Revokes every earlier login token.',
  })
  @ApiOkResponse({ type: SuccessResponseDto })
  @PhonesErrors(400, 401, 403, 429)
  async changePassword(@CurrentPrincipal() principal: Principal, @Body() dto: ChangePasswordDto, @Req() req: Request): Promise<SuccessResponseDto> {
    await this.auth.changePassword(principal, dto.oldPassword, dto.newPassword, req.ip);
    return { success: true, message: 'Password changed' };
  }

  @Public()
  @Get('verify')
  @ApiOperation({ summary: 'Verify authentication status', description: '`token` in the query, else the request’s own credential. Always 200.' })
  @ApiOkResponse({ type: VerifyResponseDto })
  async verifyGet(@Query() query: VerifyDto, @Req() req: Request): Promise<VerifyResponseDto> {
    return { data: { valid: await this.auth.isValid(query.token ?? extractCredential(req)) } };
  }

  @Public()
  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify authentication status', description: '`token` in the body (or query), else the request’s own credential. Always 200.' })
  @ApiOkResponse({ type: VerifyResponseDto })
  async verifyPost(@Body() body: VerifyDto, @Query() query: VerifyDto, @Req() req: Request): Promise<VerifyResponseDto> {
    return { data: { valid: await this.auth.isValid(body?.token ?? query.token ?? extractCredential(req)) } };
  }

  @Public()
  @Post('logout')
  @HttpCode(200)
  @ApiOperation({ summary: 'Logout and clear authentication', description: 'Clears the cookie and revokes the login token it (or the Bearer header) carried.' })
  @ApiOkResponse({ type: SuccessResponseDto })
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<SuccessResponseDto> {
    await this.auth.logout(extractCredential(req));
    res.clearCookie(AUTH_COOKIE, { path: PHONES_COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure: req.secure });
    return { success: true, message: 'Logged out' };
  }
}
