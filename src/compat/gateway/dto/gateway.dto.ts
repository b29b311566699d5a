import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** PHP clients often send the phone as a number (`'phone' => 9611234567`): take it as its digits. */
const numberAsString = ({ value }: { value: unknown }) => (typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value);

export class GatewaySendDto {
  @ApiProperty({ description: 'Recipient phone number with country code, digits only (`+`, spaces and dashes are ignored). No default country is added.', example: '9611234567' })
  @Transform(numberAsString) @IsString() @IsNotEmpty() @MaxLength(32)
  phone: string;

  @ApiProperty({ description: 'Message text (Unicode, emoji, Arabic)', example: 'Hello from the gateway!' })
  @IsString() @IsNotEmpty() @MaxLength(65536)
  message: string;

  @ApiPropertyOptional({ description: 'Session name to send from', default: 'default', example: 'default' })
  @IsOptional() @IsString() @MaxLength(64)
  session?: string;
}

export class GatewaySendImageDto {
  @ApiProperty({ description: 'Recipient phone number with country code', example: '9611234567' })
  @Transform(numberAsString) @IsString() @IsNotEmpty() @MaxLength(32)
  phone: string;

  @ApiProperty({ type: 'string', format: 'binary', description: 'Image file (JPG/PNG/GIF/WEBP, max 10 MB); sent as JPEG, at most 1280 px, quality 78' })
  file?: unknown;

  @ApiPropertyOptional({ description: 'Optional image caption', example: 'Check this out!' })
  @IsOptional() @IsString() @MaxLength(4096)
  caption?: string;

  @ApiPropertyOptional({ description: 'Session name', default: 'default', example: 'default' })
  @IsOptional() @IsString() @MaxLength(64)
  session?: string;
}

export class GatewayCreateSessionDto {
  @ApiProperty({ description: 'Unique session name: alphanumeric, dash, underscore, max 40 characters', example: 'support' })
  @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;
}

export class GatewayRegenerateQrDto {
  @ApiPropertyOptional({ description: 'Session name to reconnect', default: 'default', example: 'default' })
  @IsOptional() @IsString() @MaxLength(64)
  session?: string;
}

export class GatewayStatusDto {
  @ApiProperty({ example: 'default' }) name: string;
  @ApiProperty({ enum: ['online', 'offline', 'connecting'], example: 'online' }) status: string;
  @ApiProperty({ nullable: true, type: String, example: '9611234567', description: "The linked account's number; null until linked" }) phone: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2025-05-11 14:00:00', description: 'Last connection change, `YYYY-MM-DD HH:MM:SS` in UTC' }) last_seen: string | null;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'The QR to scan as a data URL (image/png) while linking, else null' }) qr_code: string | null;
}

export class GatewaySessionDto {
  @ApiProperty({ example: 'support' }) name: string;
  @ApiProperty({ enum: ['online', 'offline', 'connecting'], example: 'offline' }) status: string;
  @ApiProperty({ nullable: true, type: String, example: null }) phone: string | null;
  @ApiProperty({ nullable: true, type: String, example: null, description: '`YYYY-MM-DD HH:MM:SS` in UTC' }) last_seen: string | null;
}

export class GatewaySendResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 42, description: 'Integer message id (the Message Audit id; used by /api/resend/:id)' }) message_id: number;
}

export class GatewaySuccessDto {
  @ApiProperty({ example: true }) success: boolean;
}

export class GatewayMessageResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'Reconnection initiated for session "default"' }) message: string;
}

export class GatewayErrorDto {
  @ApiProperty({ example: false }) success: boolean;
  @ApiProperty({ example: "Session 'support' was not found" }) error: string;
  @ApiProperty({ example: 'SESSION_NOT_FOUND', description: 'Stable, machine-readable code (the native error codes)' }) code: string;
}
