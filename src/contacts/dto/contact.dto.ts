import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_PAGE } from '../../common/validation/pagination';

export class ListContactsQueryDto {
  @ApiPropertyOptional({ description: 'Search in name, push name, number and JID' })
  @IsOptional() @IsString() @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ description: 'Only contacts of this session (id, number or mobid)' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  sessionId?: string;

  @ApiPropertyOptional({ enum: ['pending', 'yes', 'no'] })
  @IsOptional() @IsIn(['pending', 'yes', 'no'])
  optIn?: 'pending' | 'yes' | 'no';

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

export class SetOptInDto {
  @ApiProperty({ enum: ['pending', 'yes', 'no'] })
  @IsIn(['pending', 'yes', 'no'])
  optIn: 'pending' | 'yes' | 'no';
}

export class ContactDto {
  @ApiProperty() sessionId: string;
  @ApiProperty({ example: '919846303025@s.whatsapp.net' }) jid: string;
  @ApiProperty({ nullable: true, type: String, example: '919846303025' }) phoneNumber: string | null;
  @ApiProperty({ nullable: true, type: String }) lid: string | null;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: String }) pushName: string | null;
  @ApiProperty({ nullable: true, enum: ['pending', 'yes', 'no'] }) optIn: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) optInAt: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ContactListResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: [ContactDto] }) contacts: ContactDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
}

export class ContactResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: ContactDto }) contact: ContactDto;
}
