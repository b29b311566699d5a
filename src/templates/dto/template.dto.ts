import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { TemplateButtonType, TemplateCategory, TemplateStatus } from '../entities/message-template.entity';
import { BUTTON_TYPES } from '../template-definition';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

export const TEMPLATE_CATEGORIES: TemplateCategory[] = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];
export const TEMPLATE_STATUSES: TemplateStatus[] = ['APPROVED', 'PAUSED', 'DISABLED'];

/** Fields keep Meta's snake_case (`phone_number`): definitions are copied from Meta's format. */
export class TemplateButtonDto {
  @ApiProperty({ enum: BUTTON_TYPES, example: 'QUICK_REPLY', description: 'OTP, FLOW, CATALOG, MPM and VOICE_CALL buttons are shown by their label (see docs/cloud-api.md)' })
  @Transform(upper) @IsIn(BUTTON_TYPES)
  type: TemplateButtonType;

  @ApiPropertyOptional({ example: 'Stop promotions' }) @IsOptional() @IsString() @MaxLength(25) text?: string;
  @ApiPropertyOptional({ example: 'https://example.com/track/{{1}}' }) @IsOptional() @IsString() @MaxLength(2000) url?: string;
  @ApiPropertyOptional({ example: '+15550100000' }) @IsOptional() @IsString() @MaxLength(20) phone_number?: string;
  @ApiPropertyOptional({ example: 'COPY_CODE', description: 'OTP buttons: COPY_CODE, ONE_TAP or ZERO_TAP' }) @IsOptional() @IsString() @MaxLength(20) otp_type?: string;
  @ApiPropertyOptional({ description: 'FLOW buttons' }) @IsOptional() @IsString() @MaxLength(200) flow_id?: string;
  @ApiPropertyOptional({ description: 'FLOW buttons' }) @IsOptional() @IsString() @MaxLength(200) flow_name?: string;
  @ApiPropertyOptional({ description: 'FLOW buttons' }) @IsOptional() @IsString() @MaxLength(50) flow_action?: string;
  @ApiPropertyOptional({ description: 'FLOW buttons' }) @IsOptional() @IsString() @MaxLength(200) navigate_screen?: string;
  @ApiPropertyOptional({ description: "Meta's example values (kept, not used)" }) @Allow() example?: unknown;
}

export class TemplateComponentDto {
  @ApiProperty({ enum: ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'], example: 'BODY' })
  @Transform(upper) @IsIn(['HEADER', 'BODY', 'FOOTER', 'BUTTONS'])
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';

  @ApiPropertyOptional({ enum: ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'], description: 'HEADER only' })
  @IsOptional() @Transform(upper) @IsIn(['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'])
  format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';

  @ApiPropertyOptional({ example: 'Hi {{1}}, your order {{2}} has shipped.', description: 'Placeholders {{1}}, {{2}}… or named {{first_name}}' })
  @IsOptional() @IsString() @MaxLength(1024)
  text?: string;

  @ApiPropertyOptional({ type: [TemplateButtonDto], description: 'BUTTONS only' })
  @IsOptional() @IsArray() @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => TemplateButtonDto)
  buttons?: TemplateButtonDto[];

  @ApiPropertyOptional({ description: "Meta's example values (kept, not used)" }) @IsOptional() @IsObject() example?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'AUTHENTICATION BODY without text: adds the security recommendation' }) @IsOptional() @IsBoolean() add_security_recommendation?: boolean;
  @ApiPropertyOptional({ description: 'AUTHENTICATION FOOTER without text: "This code expires in N minutes."' }) @IsOptional() @IsInt() @Min(1) @Max(90) code_expiration_minutes?: number;
}

export class CreateTemplateDto {
  @ApiProperty({ example: 'order_update', description: 'Lowercase letters, digits and underscores, as Meta requires' })
  @IsString() @Matches(/^[a-z0-9_]{1,512}$/, { message: 'name may contain only lowercase letters, digits and underscores' })
  name: string;

  @ApiProperty({ example: 'en_US', description: "Meta's language code" })
  @IsString() @Matches(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, { message: 'language must be a code like en, en_US or zh_CN' })
  language: string;

  @ApiPropertyOptional({ enum: TEMPLATE_CATEGORIES, default: 'UTILITY' })
  @IsOptional() @Transform(upper) @IsIn(TEMPLATE_CATEGORIES)
  category?: TemplateCategory;

  @ApiPropertyOptional({ enum: TEMPLATE_STATUSES, default: 'APPROVED' })
  @IsOptional() @Transform(upper) @IsIn(TEMPLATE_STATUSES)
  status?: TemplateStatus;

  @ApiPropertyOptional({ description: 'Session id, mobile number or mobid; omit for a template every session may use (unbound credentials only)' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  sessionId?: string;

  @ApiPropertyOptional({
    description:
      'A workspace: the template serves every session of it (its Cloud API WhatsApp Business Account). Not with sessionId. Workspace credentials default to their workspace.',
    example: 'shop',
  })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  workspace?: string;

  @ApiProperty({
    type: [TemplateComponentDto],
    description: "Meta's template components: one BODY, optional HEADER, FOOTER and BUTTONS",
    example: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
      { type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.' },
      { type: 'FOOTER', text: 'Reply STOP to opt out' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }, { type: 'URL', text: 'Track', url: 'https://example.com/t/{{1}}' }] },
    ],
  })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(4) @ValidateNested({ each: true }) @Type(() => TemplateComponentDto)
  components: TemplateComponentDto[];
}

export class UpdateTemplateDto {
  @ApiPropertyOptional({ enum: TEMPLATE_CATEGORIES }) @IsOptional() @Transform(upper) @IsIn(TEMPLATE_CATEGORIES) category?: TemplateCategory;
  @ApiPropertyOptional({ enum: TEMPLATE_STATUSES }) @IsOptional() @Transform(upper) @IsIn(TEMPLATE_STATUSES) status?: TemplateStatus;

  @ApiPropertyOptional({ type: [TemplateComponentDto] })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(4) @ValidateNested({ each: true }) @Type(() => TemplateComponentDto)
  components?: TemplateComponentDto[];
}

export class ListTemplatesQueryDto {
  @ApiPropertyOptional({ description: 'Session id, mobile number or mobid: its templates and the global ones' })
  @IsOptional() @IsString() @MaxLength(200) sessionId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(16) language?: string;
}

export class TemplateDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'order_update' }) name: string;
  @ApiProperty({ example: 'en_US' }) language: string;
  @ApiProperty({ enum: TEMPLATE_CATEGORIES }) category: TemplateCategory;
  @ApiProperty({ enum: TEMPLATE_STATUSES }) status: TemplateStatus;
  @ApiProperty({ nullable: true, type: String, example: null }) sessionId: string | null;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'Set on the templates of a workspace (its Cloud API WhatsApp Business Account)' }) workspace: string | null;
  @ApiProperty({ type: [TemplateComponentDto] }) components: TemplateComponentDto[];
  /** Placeholders of the header, body and URL buttons, in order. */
  @ApiProperty({ example: { header: ['1'], body: ['1', '2'], buttons: [['1']] } }) parameters: TemplateParameters;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export interface TemplateParameters {
  header: string[];
  body: string[];
  buttons: string[][];
}

export class TemplateResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: TemplateDto }) template: TemplateDto;
}

export class TemplateListResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: [TemplateDto] }) templates: TemplateDto[];
}
