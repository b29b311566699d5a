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

/** A recipient by the phones manager's rule: `@` = a JID, else digits validated for `country` when given. */
export class HasWhatsappDto {
  @ApiProperty({ example: '919876543210' })
  @IsString() @IsNotEmpty() @MaxLength(128)
  recipient: string;

  @ApiPropertyOptional({ example: 'IN' })
  @IsOptional() @IsString() @MaxLength(8)
  country?: string;
}

export class TypingDto extends HasWhatsappDto {
  @ApiProperty({ example: true })
  @Transform(toBoolean) @IsBoolean()
  isTyping: boolean;
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

// ------------------------------------------------------------------ responses (Swagger)

export class PhonesErrorDto {
  @ApiProperty({ example: false }) success: boolean;
  @ApiProperty({ example: "Phone '15550001111' was not found" }) error: string;
  @ApiProperty({ example: 'PHONE_NOT_FOUND', description: 'Stable, machine-readable code' }) code: string;
  @ApiPropertyOptional({ example: { fields: [{ field: 'recipient', messages: ['…'] }] }, description: 'When the code has any' }) details?: unknown;
}

class QuotaDto {
  @ApiProperty({ example: 1 }) used: number;
  @ApiProperty({ nullable: true, type: Number, example: 5, description: 'null: unlimited (PHONES_QUOTA=0)' }) limit: number | null;
}

class PhoneListDataDto {
  @ApiProperty({ type: [PhoneDto] }) phones: PhoneDto[];
  @ApiProperty({ type: QuotaDto }) quota: QuotaDto;
  @ApiProperty({ type: [String], example: ['image', 'video', 'audio', 'document'] }) allowedMedia: string[];
}

export class PhoneListResponseDto {
  @ApiProperty({ type: PhoneListDataDto }) data: PhoneListDataDto;
}

export class PhoneResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: PhoneDto }) data: PhoneDto;
}

class ConnectDataDto {
  @ApiProperty({ example: '919876543210' }) phone: string;
  @ApiProperty({ example: 'pairing', enum: ['pairing', 'connecting', 'connected', 'disconnected', 'logged_out'] }) status: string;
  @ApiPropertyOptional({ enum: ['qr', 'phone'] }) method?: string;
  @ApiPropertyOptional({ description: 'The QR string (method qr)' }) qr?: string;
  @ApiPropertyOptional({ example: 'data:image/png;base64,…' }) qrCodeDataUrl?: string;
  @ApiPropertyOptional({ example: 'K7QM2XPA', description: 'Type it on the phone (method phone)' }) pairingCode?: string;
}

export class ConnectResponseDto {
  @ApiProperty({ type: ConnectDataDto }) data: ConnectDataDto;
}

class MessageAcceptedDataDto {
  @ApiProperty({ format: 'uuid', description: 'Switchboard message id' }) id: string;
  @ApiProperty({ example: '3EB0C1A2B3C4D5E6F7A8', description: 'The WhatsApp message id' }) messageId: string;
  @ApiProperty({ example: 'QUEUED' }) status: string;
  @ApiProperty({ example: '919812345678@s.whatsapp.net' }) recipient: string;
  @ApiProperty({ example: 'text', enum: ['text', 'image', 'video', 'audio', 'document'] }) type: string;
  @ApiProperty({ example: false, description: 'true: an earlier message with the same idempotencyKey' }) replayed: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class MessageAcceptedResponseDto {
  @ApiProperty({ type: MessageAcceptedDataDto }) data: MessageAcceptedDataDto;
}

class PaginationDto {
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 50 }) limit: number;
  @ApiProperty({ example: 120 }) total: number;
  @ApiProperty({ example: 3 }) totalPages: number;
}

class HistoryDataDto {
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Native messages (id, waMessageId, direction, chat, type, content, status, sentAt, deliveredAt, readAt, …), newest first' })
  messages: unknown[];
  @ApiProperty({ type: PaginationDto }) pagination: PaginationDto;
}

export class HistoryResponseDto {
  @ApiProperty({ type: HistoryDataDto }) data: HistoryDataDto;
}

class ContactsDataDto {
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Contacts: phone (the phone that knows it), jid, phoneNumber, lid, name, pushName, …' })
  contacts: unknown[];
  @ApiPropertyOptional({ example: 2 }) total?: number;
  @ApiPropertyOptional({ type: PaginationDto }) pagination?: PaginationDto;
}

export class ContactsResponseDto {
  @ApiProperty({ type: ContactsDataDto }) data: ContactsDataDto;
}

class WebhookDataDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'https://example.com/hooks/whatsapp' }) url: string;
  @ApiProperty({ type: [String], example: ['message.received'] }) services: string[];
  @ApiProperty({ example: true }) active: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiPropertyOptional({ example: 'whsec_…', description: 'Only when created: the HMAC key of X-Switchboard-Signature' }) secret?: string;
}

export class WebhookResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: WebhookDataDto }) data: WebhookDataDto;
}

class WebhookListDataDto {
  @ApiProperty({ type: [WebhookDataDto] }) webhooks: WebhookDataDto[];
}

export class WebhookListResponseDto {
  @ApiProperty({ type: WebhookListDataDto }) data: WebhookListDataDto;
}

export class HealthResponseDto {
  @ApiProperty({ example: 'ok', enum: ['ok', 'error'] }) status: string;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
}
