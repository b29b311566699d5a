import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from '../sessions/sessions.module';
import { SettingsModule } from '../settings/settings.module';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { ApiTokensService } from './api-tokens.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { CredentialVerifier } from './credential-verifier.service';
import { ApiTokenEntity } from './entities/api-token.entity';
import { ApiAuthGuard } from './guards/api-auth.guard';
import { JwtKeysService } from './jwt-keys.service';
import { PasswordAttempts } from './password-attempts';
import { JwtStrategy } from './strategies/jwt.strategy';
import { TokensService } from './tokens.service';

@Module({
  imports: [TypeOrmModule.forFeature([ApiTokenEntity]), PassportModule, JwtModule.register({}), SettingsModule, SessionsModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    TokensService,
    ApiTokensService,
    JwtKeysService,
    CredentialVerifier,
    JwtStrategy,
    AdminBootstrapService,
    PasswordAttempts,
    { provide: APP_GUARD, useClass: ApiAuthGuard },
  ],
  exports: [AdminBootstrapService, TokensService, CredentialVerifier, PasswordAttempts],
})
export class AuthModule {}
