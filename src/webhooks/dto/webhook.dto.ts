import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { WEBHOOK_FORMATS } from '../formats/webhook-formats';
import { SUBSCRIBABLE_EVENTS } from '../webhook-events';

const URL_PATTERN = /^https?:\/\/\S+$/i;
const URL_MESSAGE = 'url must be an http:// or https:// URL';
const EVENTS_DESCRIPTION =
  'Event types to receive: message.received, message.status, session.status, session.qr, call.received, contact.opt_in, or "*" for all (the default).';

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://crm.example.com/hooks/whatsapp',
    description: 'http(s) URL that receives POSTs. Internal hosts are allowed: self-hosted receivers often live next to Switchboard.',
  })
  @IsString() @MaxLength(2048) @Matches(URL_PATTERN, { message: URL_MESSAGE })
  url: string;

  @ApiPropertyOptional({ type: [String], example: ['message.received', 'message.status'], description: EVENTS_DESCRIPTION })
  @IsOptional() @IsArray() @ArrayNotEmpty() @ArrayMaxSize(20) @IsIn(SUBSCRIBABLE_EVENTS, { each: true })
  events?: string[];

  @ApiPropertyOptional({ type: [String], example: ['message.received'], description: 'The phones manager\'s name for `events` (same meaning; merged with it when both are given)' })
  @IsOptional() @IsArray() @ArrayNotEmpty() @ArrayMaxSize(20) @IsIn(SUBSCRIBABLE_EVENTS, { each: true })
  services?: string[];

  @ApiPropertyOptional({
    example: '919876543210',
    description: 'Bind to one session (id, mobile number or mobid). Omitted: every session (admin credentials only).',
  })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  sessionId?: string;

  @ApiPropertyOptional({
    example: 'whsec_9f2c8e1d4b7a4e0f8c3d2b1a0e9f8d7c',
    description: 'HMAC key for X-Switchboard-Signature (16–256 characters). Generated when omitted; returned once in this response.',
  })
  @IsOptional() @IsString() @Length(16, 256)
  secret?: string;

  @ApiPropertyOptional({
    enum: WEBHOOK_FORMATS,
    default: 'native',
    description: 'Payload format: "native" (the Switchboard envelope) or "cloud-api" (Meta’s webhook format). Fixed once created.',
  })
  // Any registered format is accepted (the service checks the registry); the enum documents the built-in ones.
  @IsOptional() @IsString() @Matches(/^[a-z][a-z0-9-]{0,31}$/, { message: 'format must be the name of a webhook format' })
  format?: string;

  @ApiPropertyOptional({ description: 'Format "cloud-api" only: the token of Meta’s hub.challenge verification handshake', example: 'my-verify-token' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(256)
  verifyToken?: string;

  @ApiPropertyOptional({ example: 'CRM inbound messages' })
  @IsOptional() @IsString() @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ default: true, description: 'Inactive webhooks get no new deliveries; their pending ones wait until reactivated.' })
  @IsOptional() @IsBoolean()
  active?: boolean;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ example: 'https://crm.example.com/hooks/whatsapp-v2', description: 'Pending deliveries go to the new URL.' })
  @IsOptional() @IsString() @MaxLength(2048) @Matches(URL_PATTERN, { message: URL_MESSAGE })
  url?: string;

  @ApiPropertyOptional({ type: [String], example: ['*'], description: EVENTS_DESCRIPTION })
  @IsOptional() @IsArray() @ArrayNotEmpty() @ArrayMaxSize(20) @IsIn(SUBSCRIBABLE_EVENTS, { each: true })
  events?: string[];

  @ApiPropertyOptional({ type: [String], description: 'The phones manager\'s name for `events`' })
  @IsOptional() @IsArray() @ArrayNotEmpty() @ArrayMaxSize(20) @IsIn(SUBSCRIBABLE_EVENTS, { each: true })
  services?: string[];

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Rebind to a session (id, number or mobid); null makes it global (admin only).' })
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @IsNotEmpty() @MaxLength(200)
  sessionId?: string | null;

  @ApiPropertyOptional({ description: 'A new signing secret (16–256 characters); applies to the next attempt.' })
  @IsOptional() @IsString() @Length(16, 256)
  secret?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ example: false })
  @IsOptional() @IsBoolean()
  active?: boolean;
}

export class ListWebhooksQueryDto {
  @ApiPropertyOptional({ description: 'Only webhooks bound to this session (id, number or mobid)' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  sessionId?: string;
}

/** The device-token gateway: `POST /api/webhook {token, url}`. */
export class DeviceWebhookDto {
  @ApiProperty({ example: '919876543210', description: 'The device token of the device-token gateway: a session id, mobile number or mobid' })
  @IsString() @IsNotEmpty() @MaxLength(200)
  token: string;

  @ApiProperty({ example: 'https://your-webhook.com/endpoint' })
  @IsString() @MaxLength(2048) @Matches(URL_PATTERN, { message: URL_MESSAGE })
  url: string;
}

export class WebhookHealthDto {
  @ApiProperty({ example: 0, description: 'Deliveries waiting (including one being retried)' }) pending: number;
  @ApiProperty({ example: 0, description: 'Deliveries given up after their retries' }) failed: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastSuccessAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastFailureAt: string | null;
  @ApiProperty({ example: 0, description: 'Failed attempts in a row; 0 after a success' }) consecutiveFailures: number;
  @ApiProperty({ nullable: true, type: String, example: 'HTTP 503' }) lastError: string | null;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'https://crm.example.com/hooks/whatsapp' }) url: string;
  @ApiProperty({ type: [String], example: ['message.received', 'message.status'] }) events: string[];
  @ApiProperty({ nullable: true, type: String, example: 'qr_1782473171252_bb1a0195', description: 'Null: every session' }) sessionId: string | null;
  @ApiProperty({ example: 'native' }) format: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ example: true }) active: boolean;
  @ApiProperty({ enum: ['api', 'device'], description: '"device": the per-session webhook of POST /api/webhook (the device-token gateway)' }) origin: string;
  @ApiProperty({ description: 'True when a session- or workspace-bound token set the URL: delivered to public addresses (and WEBHOOK_URL_ALLOWLIST) only' })
  restricted: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiPropertyOptional({ type: WebhookHealthDto }) health?: WebhookHealthDto;
  @ApiPropertyOptional({ example: 'whsec_9f2c8e1d4b7a4e0f8c3d2b1a0e9f8d7c', description: 'Only in the create response' }) secret?: string;
}

export class WebhookResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: WebhookDto }) webhook: WebhookDto;
}

export class WebhookListResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: [WebhookDto] }) webhooks: WebhookDto[];
}

export class DeleteWebhookResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'Webhook deleted' }) message: string;
}

export class DeviceWebhookResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: true, description: 'Flag of the device-token gateway API' }) status: boolean;
  @ApiProperty({ example: 'Webhook updated' }) message: string;
  @ApiProperty({ type: WebhookDto }) webhook: WebhookDto;
}
