import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsDateString, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MessageStatus } from '../message-status';
import { MAX_PAGE } from '../../common/validation/pagination';

export class ListMessagesQueryDto {
  @ApiPropertyOptional({ description: 'Session id, mobile number or mobid' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  sessionId?: string;

  @ApiPropertyOptional({ description: 'Chat: phone number or JID' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64)
  chat?: string;

  @ApiPropertyOptional({ enum: ['inbound', 'outbound'] })
  @IsOptional() @IsIn(['inbound', 'outbound'])
  direction?: 'inbound' | 'outbound';

  @ApiPropertyOptional({ enum: MessageStatus })
  @IsOptional() @IsIn(Object.values(MessageStatus))
  status?: MessageStatus;

  @ApiPropertyOptional({ description: 'Created at or after (ISO 8601)', example: '2026-11-01T00:00:00Z' })
  @IsOptional() @IsDateString()
  from?: string;

  @ApiPropertyOptional({ description: 'Created before (ISO 8601)' })
  @IsOptional() @IsDateString()
  to?: string;

  @ApiPropertyOptional({ description: 'Opaque cursor from nextCursor (newest first)' })
  @IsOptional() @IsString() @MaxLength(64)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, description: 'Page number (page pagination with a total); omit to use cursors' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

export class StatusChangeDto {
  @ApiProperty({ example: 'DELIVERED' }) status: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiPropertyOptional({ example: 'RECIPIENT_NOT_ON_WHATSAPP' }) reason?: string;
}

export class MessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 42, description: 'The message number: stable, unique, accepted in place of the id' }) number: number;
  @ApiProperty({ example: '3EB0A1B2C3D4E5F60718293A' }) waMessageId: string;
  @ApiProperty() sessionId: string;
  @ApiProperty({ enum: ['inbound', 'outbound'] }) direction: string;
  @ApiProperty({ example: '919846303025@s.whatsapp.net', description: 'The chat (recipient for outbound)' }) chat: string;
  @ApiProperty({ nullable: true, type: String, description: 'Recipient as given by the caller' }) to: string | null;
  @ApiProperty({ nullable: true, type: String }) from: string | null;
  @ApiProperty({ example: 'text' }) type: string;
  @ApiProperty({ example: { text: 'Hello' } }) content: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: Object, example: { id: 'uuid', mimetype: 'image/jpeg', size: 12345, fileName: null } })
  media: { id: string; mimetype: string; size: number; fileName: string | null; seconds: number | null } | null;
  @ApiProperty({ enum: MessageStatus }) status: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: "Why a QUEUED message is held back: NOT_OPTED_IN while the recipient has not opted in (optInMode 'hold')",
  })
  heldReason: string | null;
  @ApiProperty({ type: [StatusChangeDto] }) statusHistory: StatusChangeDto[];
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: Object, example: null }) error: { code: string; message: string } | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) sentAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deliveredAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) readAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) playedAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class MessageResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: MessageDto }) message: MessageDto;
}

export class MessageListResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: [MessageDto] }) messages: MessageDto[];
  @ApiProperty({ example: 50 }) limit: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as cursor for the next (older) page; null at the end' })
  nextCursor?: string | null;
  @ApiPropertyOptional({ description: 'Page pagination only' }) page?: number;
  @ApiPropertyOptional({ description: 'Page pagination only' }) total?: number;
}

export class TypingDto {
  @ApiProperty({ example: '919846303025' }) @IsString() @IsNotEmpty() @MaxLength(64) to: string;
  @ApiProperty({ example: true }) @IsBoolean() isTyping: boolean;
}

export class CheckNumbersDto {
  @ApiProperty({ type: [String], example: ['919846303025', '+44 7700 900123'] })
  @IsArray() @ArrayNotEmpty() @ArrayMaxSize(500) @IsString({ each: true }) @MaxLength(64, { each: true })
  numbers: string[];
}

export class NumberCheckDto {
  @ApiProperty({ example: '+44 7700 900123' }) input: string;
  @ApiProperty({ nullable: true, type: String, example: '447700900123' }) number: string | null;
  @ApiProperty({ nullable: true, type: String, example: '447700900123@s.whatsapp.net' }) jid: string | null;
  @ApiProperty() exists: boolean;
  @ApiPropertyOptional({ example: 'not a phone number' }) error?: string;
}

export class CheckNumbersResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: [NumberCheckDto] }) results: NumberCheckDto[];
}
