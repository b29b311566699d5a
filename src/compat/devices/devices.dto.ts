import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/** A device token: a name without spaces or control characters (the dashboard's "Token Name"). */
export const TOKEN_PATTERN = /^[^\s\p{Cc}]+$/u;
const TOKEN_MESSAGE = 'token must be a name without spaces, e.g. my-token';
const URL_PATTERN = /^https?:\/\/\S+$/i;

const TokenField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: 'The device token (here or in the query string)', example: 'my-token', maxLength: 128 }),
    IsOptional(),
    IsString(),
    IsNotEmpty(),
    MaxLength(128),
    Matches(TOKEN_PATTERN, { message: TOKEN_MESSAGE }),
  );

/** `?token=` on any route (clients put it in the query string or in the body). */
export class TokenQueryDto {
  @TokenField() token?: string;
}

export class StartDto {
  @TokenField() token?: string;

  @ApiPropertyOptional({ enum: ['Y', 'N'], description: '"Y" declines incoming calls (kept from the last start when omitted)', example: 'Y' })
  @IsOptional() @IsIn(['Y', 'N', 'y', 'n'])
  reject_call?: string;

  @ApiPropertyOptional({ nullable: true, description: 'Sent to a caller whose call was declined', example: 'Busy' })
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(4096)
  reject_message?: string | null;
}

export class QrcodeDto {
  @TokenField() token?: string;

  @ApiPropertyOptional({ description: 'Pair with this phone number instead (country code + digits): answers a pairing code', example: '628123456789' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(32)
  phone?: string;
}

export class PairingCodeDto {
  @TokenField() token?: string;

  @ApiProperty({ description: 'The phone number to pair (country code + digits; +, spaces and dashes are ignored)', example: '628123456789' })
  @IsString() @IsNotEmpty() @MaxLength(32)
  phone: string;
}

export class SendDto {
  @TokenField() token?: string;

  @ApiProperty({ description: 'Country code + digits (+, spaces and dashes ignored; 7–15 digits), or a JID (…@s.whatsapp.net, …@g.us)', example: '628123456789' })
  @IsString() @IsNotEmpty() @MaxLength(64)
  phone: string;

  @ApiPropertyOptional({ description: 'The text; the caption when file_url is given', example: 'Hello World' })
  @IsOptional() @IsString() @MaxLength(65536)
  message?: string;

  @ApiPropertyOptional({ description: 'Media to send; its kind (image, video, audio, document) follows the fetched bytes', example: 'https://example.com/image.jpg' })
  @IsOptional() @IsString() @MaxLength(4096) @Matches(URL_PATTERN, { message: 'file_url must be an http:// or https:// URL' })
  file_url?: string;

  @ApiPropertyOptional({ description: 'File name shown for documents', example: 'image.jpg' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(256)
  file_name?: string;
}

export class PageQueryDto {
  @TokenField() token?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1000 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit?: number;
}

export class DevicesQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1, example: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10, example: 10 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'Search in the device token (name) and its phone number', example: 'shop' })
  @IsOptional() @IsString() @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ description: 'Only devices of this workspace', example: 'Marketing' })
  @IsOptional() @IsString() @MaxLength(100)
  workspace?: string;
}

export class WebhookDto {
  @TokenField() token?: string;

  @ApiProperty({ example: 'https://your-webhook.com/endpoint' })
  @IsString() @MaxLength(2048) @Matches(URL_PATTERN, { message: 'url must be an http:// or https:// URL' })
  url: string;
}

export class WorkspaceDto {
  @TokenField() token?: string;

  @ApiProperty({ nullable: true, description: 'The workspace label; "" or null takes the device out of its workspace', example: 'Marketing' })
  @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(100)
  workspace: string | null;
}

// ------------------------------------------------------------------ responses (Swagger)

export class DeviceProfileDataDto {
  @ApiProperty({ example: '628123456789@s.whatsapp.net', description: 'The account JID ("" before linking)' }) id: string;
  @ApiProperty({ example: '123456789012345@lid', description: 'The account LID, or ""' }) lid: string;
  @ApiProperty({ example: 'User Name' }) name: string;
}

export class DeviceStatusResponseDto {
  @ApiProperty({ example: true, description: 'true once linked and connected' }) status: boolean;
  @ApiProperty({ enum: ['AUTHENTICATED', 'DISCONNECTED'] }) message: string;
  @ApiProperty({ example: 'User Name' }) name: string;
  @ApiProperty({ example: '628123456789' }) phone: string;
  @ApiProperty({ example: '', description: 'Profile picture URL; always "" (see docs/compat-devices.md)' }) pic: string;
  @ApiProperty({ type: DeviceProfileDataDto }) data: DeviceProfileDataDto;
}

export class QrcodeResponseDto {
  @ApiProperty({ example: true }) status: boolean;
  @ApiPropertyOptional({ example: 'data:image/png;base64,iVBORw0KGgo…', description: 'Before linking' }) qrcode?: string;
  @ApiPropertyOptional({ example: 'AUTHENTICATED', description: 'Once linked, with the profile fields of GET /api/status' }) message?: string;
  @ApiPropertyOptional({ example: 'ABCD1234', description: 'With `phone`: the pairing code to enter on the phone' }) code?: string;
}

export class PairingCodeResponseDto {
  @ApiProperty({ example: true }) status: boolean;
  @ApiProperty({ example: 'ABCD1234', description: 'Enter it on the phone: Linked devices → Link with phone number' }) code: string;
  @ApiProperty({ example: '628123456789' }) phone: string;
}

export class StartResponseDto {
  @ApiProperty({ example: true }) status: boolean;
  @ApiProperty({ example: 'Session started' }) message: string;
  @ApiProperty({ example: 'my-token' }) token: string;
  @ApiProperty({ example: 'REGISTERING', description: 'The session state: REGISTERING (waiting for the QR), CONNECTING, READY…' }) state: string;
}

export class SentMessageDataDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '3EB0A1B2C3D4E5F60718293A', description: 'The WhatsApp message id' }) message_id: string;
  @ApiProperty({ example: 'QUEUED', description: 'The native message status (QUEUED, then SENT, DELIVERED, READ or FAILED)' }) status: string;
  @ApiProperty({ example: '628123456789@s.whatsapp.net' }) to: string;
  @ApiProperty({ enum: ['text', 'image', 'video', 'audio', 'document'] }) type: string;
}

export class SendResponseDto {
  @ApiProperty({ example: true }) status: boolean;
  @ApiProperty({ example: 'Message queued' }) message: string;
  @ApiProperty({ type: SentMessageDataDto }) data: SentMessageDataDto;
}

export class DeviceDto {
  @ApiProperty({ example: 'my-token' }) token: string;
  @ApiProperty({ example: 'User Name', description: 'The WhatsApp profile name ("" before linking)' }) name: string;
  @ApiProperty({ example: '628123456789' }) phone: string;
  @ApiProperty({ enum: ['AUTHENTICATED', 'DISCONNECTED'] }) status: string;
  @ApiProperty({ example: 'READY' }) state: string;
  @ApiProperty({ nullable: true, type: String, example: 'Marketing' }) workspace: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'https://your-webhook.com/endpoint' }) webhook: string | null;
  @ApiProperty({ enum: ['Y', 'N'] }) reject_call: string;
  @ApiProperty({ nullable: true, type: String }) reject_message: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class DevicesResponseDto {
  @ApiProperty({ example: true }) status: boolean;
  @ApiProperty({ type: [DeviceDto] }) data: DeviceDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
}

export class MessageResponseDto {
  @ApiProperty({ example: true }) status: boolean;
  @ApiProperty({ example: 'Done' }) message: string;
}

export class ListResponseDto {
  @ApiProperty({ example: true }) status: boolean;
  @ApiProperty({ type: [Object] }) data: unknown[];
  @ApiPropertyOptional() total?: number;
}

export class DevicesErrorDto {
  @ApiProperty({ example: false }) status: boolean;
  @ApiProperty({ example: 'No device with this token' }) message: string;
  @ApiProperty({ example: 'SESSION_NOT_FOUND' }) code: string;
}
