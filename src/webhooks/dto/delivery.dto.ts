import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DeliveryStatus } from '../entities/webhook-delivery.entity';

export class ListDeliveriesQueryDto {
  @ApiPropertyOptional({ enum: DeliveryStatus })
  @IsOptional() @IsIn(Object.values(DeliveryStatus))
  status?: DeliveryStatus;

  @ApiPropertyOptional({ description: 'Opaque cursor from nextCursor (newest first)' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'Sent as X-Switchboard-Delivery' }) id: string;
  @ApiProperty({ format: 'uuid' }) webhookId: string;
  @ApiProperty({ example: 'evt_6a0f3c1e-7d7b-4f4e-9a59-2b0d7c4f1e21', description: 'Sent as X-Switchboard-Event-Id; the same for every subscription' })
  eventId: string;
  @ApiProperty({ example: 'message.status' }) event: string;
  @ApiProperty({ nullable: true, type: String }) sessionId: string | null;
  @ApiProperty({ enum: DeliveryStatus }) status: DeliveryStatus;
  @ApiProperty({ example: 1, description: 'Attempts made so far' }) attemptCount: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When a pending delivery is due (it also waits for older ones of its webhook)' })
  nextAttemptAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastAttemptAt: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 200 }) lastStatusCode: number | null;
  @ApiProperty({ nullable: true, type: String, example: null }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deliveredAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class DeliveryAttemptDto {
  @ApiProperty({ example: 1 }) attempt: number;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ example: 42 }) durationMs: number;
  @ApiProperty({ nullable: true, type: Number, example: 503, description: 'Null when no response arrived' }) statusCode: number | null;
  @ApiProperty({ example: false }) success: boolean;
  @ApiProperty({ nullable: true, type: String, example: 'HTTP 503' }) error: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Service Unavailable', description: 'First 1 KB of the response body' }) responseBody: string | null;
}

export class DeliveryDetailDto extends DeliveryDto {
  @ApiProperty({
    description: 'The JSON body, exactly as every attempt sends it',
    example: { id: 'evt_6a0f3c1e-7d7b-4f4e-9a59-2b0d7c4f1e21', event: 'message.status', sessionId: 'qr_1782473171252_bb1a0195', createdAt: '2026-11-02T10:00:00.000Z', data: { status: 'DELIVERED' } },
  })
  payload: unknown;
  @ApiProperty({ type: [DeliveryAttemptDto] }) attempts: DeliveryAttemptDto[];
}

export class DeliveryListResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: [DeliveryDto] }) deliveries: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next (older) page; null at the end' }) nextCursor: string | null;
  @ApiProperty({ example: 50 }) limit: number;
}

export class DeliveryResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: DeliveryDetailDto }) delivery: DeliveryDetailDto;
}

export class EventStreamQueryDto {
  @ApiPropertyOptional({ example: 'message.received,message.status', description: 'Comma-separated event types; omitted: all' })
  @IsOptional() @IsString() @MaxLength(500)
  events?: string;

  @ApiPropertyOptional({ description: 'Only events of this session (id, number or mobid)' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  sessionId?: string;

  @ApiPropertyOptional({ example: '1042', description: 'Resume after this event (the `id:` of an event received); the Last-Event-ID header wins' })
  @IsOptional() @IsString() @MaxLength(100)
  lastEventId?: string;
}
