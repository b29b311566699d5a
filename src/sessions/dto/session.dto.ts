import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { SessionStatus } from '../session-status';
import { OPT_IN_MODES, type OptInMode } from '../session-settings';
import { MAX_PAGE } from '../../common/validation/pagination';

export class CreateSessionDto {
  @ApiPropertyOptional({ description: 'A label for the session', example: 'Support' })
  @IsOptional() @IsString() @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ enum: ['qr', 'phone'], default: 'qr', description: 'Link by QR scan or by pairing code' })
  @IsOptional() @IsIn(['qr', 'phone'])
  method?: 'qr' | 'phone';

  @ApiPropertyOptional({ description: 'Workspace label grouping sessions (the device-token gateway)', example: 'support' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100)
  workspace?: string;

  @ApiPropertyOptional({ description: 'Required for method "phone": the number to pair, with country code', example: '+91 98765 43210' })
  @ValidateIf((o: CreateSessionDto) => o.method === 'phone' || o.phoneNumber !== undefined)
  @IsString() @IsNotEmpty() @MaxLength(32)
  phoneNumber?: string;
}

export class ListSessionsQueryDto {
  @ApiPropertyOptional({ enum: SessionStatus })
  @IsOptional() @IsIn(Object.values(SessionStatus))
  status?: SessionStatus;

  @ApiPropertyOptional({ description: 'Only sessions of this workspace' })
  @IsOptional() @IsString() @MaxLength(100)
  workspace?: string;

  @ApiPropertyOptional({ description: 'Search in id, name, mobile number and mobid' })
  @IsOptional() @IsString() @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 500 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit?: number;
}

export class QrQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'png'], default: 'json', description: '`png` returns the QR as an image' })
  @IsOptional() @IsIn(['json', 'png'])
  format?: 'json' | 'png';
}

export class SandboxLinkDto {
  @ApiPropertyOptional({ description: 'The number the simulated account has', example: '919876543210' })
  @IsOptional() @IsString() @MaxLength(32)
  phoneNumber?: string;
}

export class SandboxInboundDto {
  @ApiProperty({ description: 'Sender phone number', example: '919846303025' })
  @IsString() @IsNotEmpty() @MaxLength(32)
  from: string;

  @ApiProperty({ example: 'Hello from a contact' })
  @Transform(({ value }) => value)
  @IsString() @IsNotEmpty() @MaxLength(65536)
  text: string;
}

export class SessionHealthDto {
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the current connection opened' })
  connectedSince: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastSeenAt: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'CONNECTION_LOST' }) lastError: string | null;
  @ApiProperty({ example: 0 }) reconnectAttempts: number;
  @ApiProperty({ format: 'date-time' }) statusChangedAt: string;
}

export class SessionDto {
  @ApiProperty({ example: 'qr_1782473171252_bb1a0195' }) sessionId: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: String, example: '726757093511112', description: 'LID user of the account' })
  mobid: string | null;
  /** Named as in the published session-manager contract. */
  @ApiProperty({ nullable: true, type: String, example: '917012729389' }) mobile_number: string | null;
  @ApiProperty({
    example: '104918326650144',
    description: 'The Cloud API phone number id of the session (15 digits, never changes): the id to configure in Cloud API clients and CRMs, sent as metadata.phone_number_id in Cloud API webhooks',
  })
  phoneNumberId: string;
  @ApiProperty({
    example: '283719402711654',
    description: "The Cloud API WhatsApp Business Account id of the session's workspace (15 digits; sessions without a workspace share one): entry[].id in Cloud API webhooks",
  })
  wabaId: string;
  @ApiProperty({
    enum: SessionStatus,
    example: SessionStatus.READY,
    description: 'DISCONNECTED also while no replica holds the session (its owner stopped renewing), until another takes it over',
  })
  status: SessionStatus;
  @ApiProperty({ nullable: true, type: String, example: 'gateway-1', description: 'The replica (NODE_ID) running the session now; null when none does' })
  node: string | null;
  @ApiProperty({ enum: ['qr', 'phone'] }) method: 'qr' | 'phone';
  @ApiProperty({ enum: ['baileys', 'sandbox'], description: 'Which engine the session runs on' }) engine: string;
  @ApiProperty({ description: 'Restored at boot and reconnected when it drops' }) active: boolean;
  @ApiProperty({ nullable: true, type: String }) pushName: string | null;
  @ApiProperty({ type: SessionHealthDto }) health: SessionHealthDto;
  @ApiProperty({ example: { workspace: null } }) settings: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class SessionResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: SessionDto }) session: SessionDto;
}

export class SessionListResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: [SessionDto] }) sessions: SessionDto[];
  @ApiProperty({ example: 1 }) total: number;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 500 }) limit: number;
}

export class CreatedSessionDto {
  @ApiProperty({ example: 'qr_1782473171252_bb1a0195' }) sessionId: string;
  @ApiProperty({ enum: SessionStatus, example: SessionStatus.REGISTERING }) status: SessionStatus;
  @ApiProperty({ enum: ['qr', 'phone'] }) method: 'qr' | 'phone';
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ enum: ['baileys', 'sandbox'] }) engine: string;
}

export class CreateSessionResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'Session initialized' }) message: string;
  @ApiProperty({ type: CreatedSessionDto }) session: CreatedSessionDto;
}

export class QrResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ enum: ['qr', 'phone'] }) method: 'qr' | 'phone';
  @ApiProperty({ enum: SessionStatus }) status: SessionStatus;
  @ApiPropertyOptional({ description: 'The raw QR string (method qr)', example: 'https://wa.me/settings/linked_devices#2@…' })
  qr?: string;
  @ApiPropertyOptional({ description: 'The QR as a PNG data URL (method qr)', example: 'data:image/png;base64,iVBORw0KGgo…' })
  qrCodeDataUrl?: string;
  @ApiPropertyOptional({ description: 'Type it on the phone: Linked devices → Link with phone number (method phone)', example: 'ABCD1234' })
  pairingCode?: string;
}

export class DeleteSessionResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'Session deleted and logged out successfully' }) message: string;
}

export class SessionActionResponseDto extends SessionResponseDto {
  @ApiProperty({ example: 'Session restarting' }) message: string;
}

export class StatusChangeDto {
  @ApiProperty({ enum: SessionStatus }) status: SessionStatus;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class StatusHistoryResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ type: [StatusChangeDto] }) history: StatusChangeDto[];
}

export class InboundResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: { id: 'SANDBOX0F1E2D3C4B5A6978' } }) message: { id: string };
}

export class UpdateSessionSettingsDto {
  @ApiPropertyOptional({ enum: ['careful', 'standard', 'off'], description: 'Pacing preset: careful = 8–22 s (the WA Gateway), standard = 2–5 s, off = no delay' })
  @IsOptional() @IsIn(['careful', 'standard', 'off'])
  preset?: 'careful' | 'standard' | 'off';

  @ApiPropertyOptional({ example: 2000, description: 'Smallest pause between two sends, ms' })
  @IsOptional() @IsInt() @Min(0) @Max(3_600_000)
  minDelayMs?: number;

  @ApiPropertyOptional({ example: 5000, description: 'Largest pause between two sends, ms' })
  @IsOptional() @IsInt() @Min(0) @Max(3_600_000)
  maxDelayMs?: number;

  @ApiPropertyOptional({ example: 1000, nullable: true, description: 'Sends per UTC day; null = unlimited' })
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsInt() @Min(1) @Max(1_000_000)
  dailyLimit?: number | null;

  @ApiPropertyOptional({ description: 'Only contacts who opted in receive outbound messages (see optInMode for the others)' })
  @IsOptional() @IsBoolean()
  requireOptIn?: boolean;

  @ApiPropertyOptional({
    enum: OPT_IN_MODES,
    default: 'refuse',
    description:
      "With requireOptIn, messages for a contact who has not said YES: 'refuse' ends them OPTED_OUT at once; 'hold' keeps them QUEUED " +
      '(heldReason NOT_OPTED_IN, not expiring) until the contact answers: YES sends them, NO ends them OPTED_OUT',
  })
  @IsOptional() @IsIn(OPT_IN_MODES)
  optInMode?: OptInMode;

  @ApiPropertyOptional({ enum: ['lazy', 'eager'], description: 'Inbound media: download when first requested (lazy) or on arrival (eager)' })
  @IsOptional() @IsIn(['lazy', 'eager'])
  mediaDownload?: 'lazy' | 'eager';

  @ApiPropertyOptional({ description: 'Decline incoming calls (the device-token gateway)' })
  @IsOptional() @IsBoolean()
  rejectCalls?: boolean;

  @ApiPropertyOptional({ nullable: true, example: 'Sorry, we cannot take calls. Please write to us here.', description: 'Sent to a caller whose call was declined' })
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(4096)
  rejectMessage?: string | null;

  @ApiPropertyOptional({ description: 'Opt-in prompt sent to unknown contacts when requireOptIn is on (bilingual by default)' })
  @IsOptional() @IsString() @MaxLength(4096)
  optInPrompt?: string;

  @ApiPropertyOptional({ description: 'Sent after a contact opts in' })
  @IsOptional() @IsString() @MaxLength(4096)
  optInConfirmYes?: string;

  @ApiPropertyOptional({ description: 'Sent after a contact opts out' })
  @IsOptional() @IsString() @MaxLength(4096)
  optInConfirmNo?: string;

  @ApiPropertyOptional({ example: 'support', nullable: true, description: 'Workspace label (the device-token gateway)' })
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(100)
  workspace?: string | null;
}

export class WorkspacesResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: [{ name: 'support', sessions: 1 }] }) workspaces: { name: string; sessions: number }[];
}

export class SandboxCallDto {
  @ApiProperty({ description: 'Caller phone number', example: '919846303025' })
  @IsString() @IsNotEmpty() @MaxLength(32)
  from: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional() @IsBoolean()
  isVideo?: boolean;
}
