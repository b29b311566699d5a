import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/** JSON or multipart (`file`) body of `messages/send`. */
export class SendConnectionMessageDto {
  @ApiProperty({ example: '+919999999999', description: '10 digits get +91; otherwise a country code (+ optional for 11–15 digits). A JSON number is read as its digits.' })
  @Transform(({ value }) => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? String(value) : value))
  @IsString() @IsNotEmpty() @MaxLength(32)
  mobileNumber: string;

  @ApiProperty({ example: 'Hello from Adnonai gateway', description: 'The text, or the caption of a file' })
  @IsString() @IsNotEmpty() @MaxLength(65536)
  message: string;

  @ApiPropertyOptional({ example: 'https://example.com/image.png', description: 'A public file to attach (instead of an upload)' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(4096)
  fileUrl?: string;

  @ApiPropertyOptional({ example: 'image.png' })
  @IsOptional() @IsString() @MaxLength(256)
  fileName?: string;

  @ApiPropertyOptional({ example: 'image/png', description: 'Chooses the message kind: image/*, video/*, audio/*, anything else a document' })
  @IsOptional() @IsString() @MaxLength(128)
  fileType?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only without a connection token (the admin credential then)' })
  @IsOptional() @IsUUID()
  connectionId?: string;

  @ApiPropertyOptional({ type: 'string', format: 'binary', description: 'Multipart upload (image, video, audio, document)' })
  file?: unknown;
}

export class SentConnectionMessageDto {
  @ApiProperty({ format: 'uuid', description: 'Follow it with GET …/api/v1/messages/{messageId}' }) messageId: string;
  @ApiProperty({ example: '3EB0A1B2C3D4E5F60718293A' }) waMessageId: string;
  @ApiProperty({ example: 'QUEUED' }) status: string;
  @ApiProperty({ enum: ['text', 'image', 'video', 'audio', 'document'] }) type: string;
  @ApiProperty({ example: '+919999999999' }) mobileNumber: string;
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Audio has no caption: the message text goes as a second message' }) textMessageId?: string;
}

export class SendConnectionMessageResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: SentConnectionMessageDto }) data: SentConnectionMessageDto;
}

export class ConnectionMessageDto {
  @ApiProperty({ format: 'uuid' }) messageId: string;
  @ApiProperty({ example: '3EB0A1B2C3D4E5F60718293A' }) waMessageId: string;
  @ApiProperty({ example: 'DELIVERED', description: 'QUEUED, SENDING, SENT, DELIVERED, READ, PLAYED, FAILED, EXPIRED, CANCELED' }) status: string;
  @ApiProperty({ example: 'text' }) type: string;
  @ApiProperty({ nullable: true, type: String, example: '+919999999999' }) mobileNumber: string | null;
  @ApiProperty({ nullable: true, type: Object }) error: { code: string; message: string } | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) sentAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deliveredAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) readAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class ConnectionMessageResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: ConnectionMessageDto }) data: ConnectionMessageDto;
}
