import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { assertSafeInput } from '../../common/validation/input-guard';
import { MAX_PAGE } from '../../common/validation/pagination';

/** `true`/`false` as JSON booleans, or as the strings a form or query sends. */
const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
/** A JSON object or array sent as a string (multipart fields). */
const parseJson = ({ value, key }: { value: unknown; key: string }) => {
  if (typeof value !== 'string') return value;
  try {
    const parsed: unknown = JSON.parse(value);
    assertSafeInput(parsed, key);
    return parsed;
  } catch (err) {
    if ((err as { code?: string }).code) throw err;
    return value;
  }
};

// ------------------------------------------------------------------ auth

export class PasswordDto {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString() @IsNotEmpty() @MaxLength(1024)
  password: string;
}

export class ChangePasswordDto {
  @ApiPropertyOptional({ description: 'The current password; leave it out only while no password is set (then the server admin credential is needed)' })
  @IsOptional() @IsString() @MaxLength(1024)
  oldPassword?: string;

  @ApiProperty({ minLength: 8, example: 'a new long password' })
  @IsString() @MinLength(8) @MaxLength(1024)
  newPassword: string;
}

export class VerifyDto {
  @ApiPropertyOptional({ description: 'The token to check; without it, the credential of this request (cookie or Bearer)' })
  @IsOptional() @IsString() @MaxLength(4096)
  token?: string;
}

export class TokenDataDto {
  @ApiProperty({ description: 'The JWT (also set as the sb_token cookie)' }) token: string;
  @ApiProperty({ example: 604800, description: 'Seconds' }) expiresIn: number;
}

export class LoginResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: TokenDataDto }) data: TokenDataDto;
}

export class PermanentTokenDto {
  @ApiProperty({ example: 'sb_…', description: 'Shown once' }) token: string;
  @ApiProperty({ type: 'null', nullable: true, example: null }) expiresIn: null;
  @ApiProperty({ example: { token: 'sb_…', expiresIn: null }, description: 'The same, in the API’s {data} style' }) data: { token: string; expiresIn: null };
}

export class VerifyResponseDto {
  @ApiProperty({ example: { valid: true } }) data: { valid: boolean };
}

export class SuccessResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'Password changed' }) message: string;
}

// ------------------------------------------------------------------ phones

export class AddPhoneDto {
  @ApiProperty({ example: '+919876543210', description: 'With country code, or national with `country`' })
  @IsString() @IsNotEmpty() @MaxLength(32)
  phone: string;

  @ApiPropertyOptional({ example: 'IN', description: 'ISO 3166 alpha-2 code (IN) or calling code (91)' })
  @IsOptional() @IsString() @MaxLength(8)
  country?: string;
}

export class ConnectDto {
  @ApiPropertyOptional({ default: false, description: 'true: link with a pairing code for this number instead of a QR' })
  @IsOptional() @Transform(toBoolean) @IsBoolean()
  pairingCodeMode?: boolean;
}

export class PhoneDto {
  @ApiProperty({ example: '919876543210' }) phone: string;
  @ApiProperty({ nullable: true, type: String, example: 'IN' }) country: string | null;
  @ApiProperty({ enum: ['not_connected', 'pairing', 'connecting', 'connected', 'disconnected', 'logged_out'], example: 'connected' }) status: string;
  @ApiProperty({ example: true }) connected: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The native session linking this phone' }) sessionId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The WhatsApp display name once linked' }) pushName: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class MessageOptionsDto {
  @ApiPropertyOptional({ description: 'Reply to this message (its id or WhatsApp id)' }) quoted?: string;
  @ApiPropertyOptional({ description: 'Same as quoted' }) quotedMessageId?: string;
  @ApiPropertyOptional({ type: [String], description: 'Phone numbers or JIDs to @mention' }) mentions?: string[];
  @ApiPropertyOptional({ description: 'File name shown for a document' }) fileName?: string;
  @ApiPropertyOptional({ description: 'Caption of media (default: message)' }) caption?: string;
  @ApiPropertyOptional({ description: 'MIME type of mediaLink when its name does not tell (e.g. image/jpeg)' }) mimetype?: string;
  @ApiPropertyOptional({ description: 'Retries with the same key return the first message' }) idempotencyKey?: string;
}

export class SendMessageDto {
  @ApiPropertyOptional({ example: '919876543210', description: 'With @: a JID as is; with country: a number of that country; else 7–15 digits' })
  @IsOptional() @IsString() @MaxLength(128)
  recipient?: string;

  @ApiPropertyOptional({ example: 'Hello!', description: 'Text, or the caption of media' })
  @IsOptional() @IsString() @MaxLength(65536)
  message?: string;

  @ApiPropertyOptional({ example: 'IN' })
  @IsOptional() @IsString() @MaxLength(8)
  country?: string;

  @ApiPropertyOptional({ example: '120363025246125888@g.us', description: 'Overrides recipient' })
  @IsOptional() @IsString() @MaxLength(128)
  jid?: string;

  @ApiPropertyOptional({ example: 'https://example.com/photo.jpg', description: 'Media to send, by URL; kind from its MIME type' })
  @IsOptional() @IsString() @MaxLength(4096)
  mediaLink?: string;

  @ApiPropertyOptional({ type: 'string', format: 'binary', description: 'Media as a multipart file part `media`, or base64 / data: URL in JSON' })
  @IsOptional() @IsString()
  media?: string;

  @ApiPropertyOptional({
    description: 'A list message: {text?, title?, footer?, buttonText?, sections:[{title, rows:[{title, description?}]}]} or an array of strings; sent as numbered text',
    example: { title: 'Menu', sections: [{ title: 'Drinks', rows: [{ title: 'Tea' }, { title: 'Coffee' }] }] },
  })
  @IsOptional() @Transform(parseJson)
  list?: unknown;

  @ApiPropertyOptional({ type: MessageOptionsDto })
  @IsOptional() @Transform(parseJson) @IsObject()
  messageOptions?: MessageOptionsDto;
}

export class TypingDto {
  @ApiProperty({ example: '919876543210' })
  @IsString() @IsNotEmpty() @MaxLength(128)
  recipient: string;

  @ApiPropertyOptional({ example: 'IN' })
  @IsOptional() @IsString() @MaxLength(8)
  country?: string;

  @ApiProperty({ example: true })
  @Transform(toBoolean) @IsBoolean()
  isTyping: boolean;
}

export class HasWhatsappDto {
  @ApiProperty({ example: '919876543210' })
  @IsString() @IsNotEmpty() @MaxLength(128)
  recipient: string;

  @ApiPropertyOptional({ example: 'IN' })
  @IsOptional() @IsString() @MaxLength(8)
  country?: string;
}

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

export class HistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only the chat with this recipient (same rule as message)' })
  @IsOptional() @IsString() @MaxLength(128)
  recipient?: string;

  @ApiPropertyOptional({ example: 'IN' })
  @IsOptional() @IsString() @MaxLength(8)
  country?: string;
}

export class GroupsQueryDto {
  @ApiPropertyOptional({ description: 'true: ask WhatsApp again instead of the 4-minute cache' })
  @IsOptional() @Transform(toBoolean) @IsBoolean()
  refresh?: boolean;
}

// ------------------------------------------------------------------ webhooks

export class WebhookBodyDto {
  @ApiProperty({ example: 'https://example.com/hooks/whatsapp' })
  @IsString() @IsNotEmpty() @MaxLength(2048)
  url: string;

  @ApiProperty({ type: [String], example: ['message.received'], description: 'Event types; one webhook per service type' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(64, { each: true })
  services: string[];
}

export class WebhookUpdateDto {
  @ApiPropertyOptional({ example: 'https://example.com/hooks/whatsapp' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ type: [String], example: ['message.received'] })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(64, { each: true })
  services?: string[];
}
