import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Transform, Type, type ClassConstructor } from 'class-transformer';
import { assertSafeInput } from '../../common/validation/input-guard';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsLatitude,
  IsLongitude,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { AcceptedBySchema } from '../../common/validation/json-schema';
import { MESSAGE_TYPES, type MessageType } from '../message-content';
import { SEND_MESSAGE_SCHEMA } from './send-message.schema';

/**
 * Multipart fields arrive as strings: nested objects as JSON (built into `cls`, so they are
 * validated like a JSON body's), arrays as JSON or comma lists. Parsed JSON passes the same
 * guard as a JSON body (no NUL, lone surrogate or hostile nesting).
 */
const parseJsonAs =
  (cls?: ClassConstructor<object>) =>
  ({ value, key }: { value: unknown; key: string }) => {
    if (typeof value !== 'string') return value;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return value;
    }
    assertSafeInput(parsed, key);
    return cls && parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? plainToInstance(cls, parsed) : parsed;
  };
const parseJson = parseJsonAs();
const parseList = ({ value, key }: { value: unknown; key: string }) => {
  if (typeof value !== 'string') return value;
  const parsed = parseJson({ value, key });
  return Array.isArray(parsed) ? parsed : value.split(',').map((s) => s.trim()).filter(Boolean);
};
const parseNumber = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value);

export class LocationDto {
  @ApiProperty({ example: 12.9716 }) @Transform(parseNumber) @IsLatitude() latitude: number;
  @ApiProperty({ example: 77.5946 }) @Transform(parseNumber) @IsLongitude() longitude: number;
  @ApiPropertyOptional({ example: 'Head office' }) @IsOptional() @IsString() @MaxLength(256) name?: string;
  @ApiPropertyOptional({ example: 'MG Road, Bengaluru' }) @IsOptional() @IsString() @MaxLength(512) address?: string;
}

export class ContactCardDto {
  @ApiProperty({ example: 'Jo Bloggs' }) @IsString() @IsNotEmpty() @MaxLength(256) name: string;
  @ApiProperty({ example: '+91 98765 43210' }) @IsString() @IsNotEmpty() @MaxLength(32) phone: string;
  @ApiPropertyOptional({ example: 'Acme' }) @IsOptional() @IsString() @MaxLength(256) organization?: string;
  @ApiPropertyOptional({ example: 'jo@example.com' }) @IsOptional() @IsString() @MaxLength(256) email?: string;
}

/** The common JSON bodies are recognised by a compiled schema first (see send-message.schema.ts). */
@AcceptedBySchema(SEND_MESSAGE_SCHEMA)
export class SendMessageDto {
  @ApiProperty({ description: 'Session id, mobile number or mobid', example: '919876543210' })
  @IsString() @IsNotEmpty() @MaxLength(200)
  sessionId: string;

  @ApiProperty({
    description: 'Phone number with country code (numbers without one get DEFAULT_COUNTRY), or a JID: …@s.whatsapp.net, …@g.us, …@lid',
    example: '919846303025',
  })
  @IsString() @IsNotEmpty() @MaxLength(64)
  to: string;

  @ApiProperty({ enum: MESSAGE_TYPES, example: 'text' })
  @IsIn(MESSAGE_TYPES as string[])
  type: MessageType;

  @ApiPropertyOptional({
    description: 'Text of a text message; for voice without media, the text to speak (TTS); for reaction, the emoji',
    example: 'Hello from API Docs!',
  })
  @IsOptional() @IsString() @MaxLength(65536)
  text?: string;

  @ApiPropertyOptional({ description: 'Public URL of the media (image, video, audio, voice, pdf, document, sticker)', example: 'https://example.com/photo.jpg' })
  @IsOptional() @IsString() @MaxLength(4096)
  url?: string;

  @ApiPropertyOptional({ description: 'The media as base64 or a data: URL (alternative to url or a multipart file)' })
  @IsOptional() @IsString()
  data?: string;

  @ApiPropertyOptional({ description: 'Id of media uploaded before (alternative to url, data or a file)', format: 'uuid' })
  @IsOptional() @IsUUID()
  mediaId?: string;

  @ApiPropertyOptional({ description: 'Caption for image, video or document', example: 'Our new catalogue' })
  @IsOptional() @IsString() @MaxLength(4096)
  caption?: string;

  @ApiPropertyOptional({ description: 'File name shown for documents', example: 'invoice-42.pdf' })
  @IsOptional() @IsString() @MaxLength(256)
  fileName?: string;

  @ApiPropertyOptional({ description: 'Declared MIME type; the type detected from the bytes wins', example: 'application/pdf' })
  @IsOptional() @IsString() @MaxLength(128)
  mimeType?: string;

  @ApiPropertyOptional({ description: 'Reply to this message (our id or the WhatsApp id); the target for a reaction' })
  @IsOptional() @IsString() @MaxLength(128)
  quotedMessageId?: string;

  @ApiPropertyOptional({ type: [String], description: 'Phone numbers or JIDs to @mention', example: ['919846303025'] })
  @IsOptional() @Transform(parseList) @IsArray() @ArrayMaxSize(256) @IsString({ each: true }) @MaxLength(64, { each: true })
  mentions?: string[];

  @ApiPropertyOptional({ description: 'Retries with the same key return the first message instead of sending again (also the Idempotency-Key header)' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  idempotencyKey?: string;

  @ApiPropertyOptional({ type: LocationDto, description: 'For type location' })
  @IsOptional() @Transform(parseJsonAs(LocationDto)) @ValidateNested() @Type(() => LocationDto)
  location?: LocationDto;

  @ApiPropertyOptional({ type: ContactCardDto, description: 'For type contact (or give a raw vcard)' })
  @IsOptional() @Transform(parseJsonAs(ContactCardDto)) @ValidateNested() @Type(() => ContactCardDto)
  contact?: ContactCardDto;

  @ApiPropertyOptional({ description: 'For type contact: a complete vCard 3.0' })
  @IsOptional() @IsString() @MaxLength(16384)
  vcard?: string;

  @ApiPropertyOptional({ description: 'TTS voice for type voice with text', example: 'coral' })
  @IsOptional() @IsString() @MaxLength(64)
  voice?: string;

  @ApiPropertyOptional({ description: 'TTS speed 0.25–4', example: 1 })
  @IsOptional() @Transform(parseNumber) @IsNumber() @Min(0.25) @Max(4)
  speed?: number;

  @ApiPropertyOptional({ description: 'TTS speaking instructions (models that support them)', example: 'Speak warmly' })
  @IsOptional() @IsString() @MaxLength(4096)
  instructions?: string;

  @ApiPropertyOptional({ type: 'string', format: 'binary', description: 'Multipart upload of the media' })
  file?: unknown;
}

export class QueuedMessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 42, description: 'The message number: stable, unique, accepted in place of the id' }) number: number;
  @ApiProperty({ example: '3EB0A1B2C3D4E5F60718293A' }) waMessageId: string;
  @ApiProperty({ example: 'QUEUED' }) status: string;
  @ApiProperty({ example: 'qr_1782473171252_bb1a0195' }) sessionId: string;
  @ApiProperty({ example: '919846303025@s.whatsapp.net' }) to: string;
}

export class SendMessageResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: QueuedMessageDto }) message: QueuedMessageDto;
}
