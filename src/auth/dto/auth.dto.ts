import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { IsDuration } from '../../common/validation/duration';
import { PRODUCT_APIS, ProductApi } from '../product-api';

export class LoginDto {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString() @IsNotEmpty() @MaxLength(1024)
  password: string;
}

export class ChangePasswordDto {
  @ApiPropertyOptional({ description: 'Required when a password is already set' })
  @IsOptional() @IsString() @MaxLength(1024)
  currentPassword?: string;

  /** The phones manager calls it `oldPassword`; both names are accepted. */
  @ApiPropertyOptional({ description: 'Alias of currentPassword (the phones manager)' })
  @IsOptional() @IsString() @MaxLength(1024)
  oldPassword?: string;

  @ApiProperty({ minLength: 8, example: 'a-new-long-password' })
  @IsString() @MinLength(8) @MaxLength(1024)
  newPassword: string;
}

export class CreateTokenDto {
  @ApiProperty({ example: 'crm-integration' })
  @IsString() @IsNotEmpty() @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ description: 'Bind the token to one session (id, mobile number or mobid)', example: '919876543210' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  sessionId?: string;

  @ApiPropertyOptional({ description: 'Bind the token to the sessions of one workspace (the device-token gateway)', example: 'support' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100)
  workspace?: string;

  @ApiPropertyOptional({ description: 'Lifetime: seconds, or a number with s/m/h/d, at most 3650 days. Omit for no expiry.', example: '30d' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'number' ? String(value) : value))
  @IsString() @IsDuration()
  expiresIn?: string;

  @ApiPropertyOptional({
    enum: PRODUCT_APIS,
    description: 'Confine the token to one sibling product API (`/compat/<api>`): e.g. the WA Gateway API key. It is refused on every other route.',
    example: 'gateway',
  })
  @IsOptional() @IsIn(PRODUCT_APIS)
  api?: ProductApi;

  @ApiPropertyOptional({
    description:
      'Use this secret instead of a generated one: for moving a product client that already has a key (16–200 printable characters). Only its hash is stored.',
    example: 'my-existing-gateway-secret',
  })
  @IsOptional() @IsString() @Length(16, 200) @Matches(/^[\x21-\x7e]+$/, { message: 'secret must be printable ASCII without spaces' })
  secret?: string;

  @ApiPropertyOptional({ enum: ['api', 'admin'], default: 'api', description: 'admin tokens may manage tokens' })
  @IsOptional() @IsIn(['api', 'admin'])
  role?: 'api' | 'admin';
}

export class VerifyResponseDto {
  @ApiProperty() success: boolean;
  @ApiProperty({ example: { valid: true, kind: 'token', isAdmin: false, sessionId: null } })
  data: { valid: boolean; kind: string; isAdmin: boolean; sessionId: string | null; workspace?: string | null };
}

export class JwtResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...' }) token: string;
  @ApiProperty({ example: 604800, description: 'seconds' }) expiresIn: number;
}

export class TokenDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['api', 'admin'] }) role: string;
  @ApiProperty({ nullable: true, type: String }) sessionId: string | null;
  @ApiProperty({ nullable: true, type: String }) workspace: string | null;
  @ApiProperty({ nullable: true, enum: PRODUCT_APIS, description: 'Set when the token works on one sibling product API only' }) api: ProductApi | null;
  @ApiProperty({ example: 'sb_3kTq9xY', description: 'first characters of the secret' }) prefix: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastUsedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedTokenResponseDto extends TokenDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'sb_Xc2…', description: 'Shown this once; only a hash is stored' }) token: string;
}

export class TokenListResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: [TokenDto] }) tokens: TokenDto[];
}

export class SuccessResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiPropertyOptional() message?: string;
}
