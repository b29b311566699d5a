import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

/** A connection's state: `pending_qr` until the QR is scanned, then connected, stale or disconnected. */
export const CONNECTION_STATUSES = ['pending_qr', 'connected', 'stale', 'disconnected'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** What the status route reports of the socket. */
export const SOCKET_STATUSES = ['connected', 'stale', 'disconnected'] as const;
export type SocketStatus = (typeof SOCKET_STATUSES)[number];

export class RequestConnectionDto {
  @ApiProperty({ description: 'Your own id for the customer; a new request with the same id resets its connection', example: 'adnonaisoft' })
  @IsString() @IsNotEmpty() @MaxLength(128) @Matches(/^\S(.*\S)?$/, { message: 'customerId must not start or end with spaces' })
  customerId: string;

  @ApiProperty({ example: 'Adnonai Soft' })
  @IsString() @IsNotEmpty() @MaxLength(200)
  customerName: string;

  @ApiPropertyOptional({ example: 'https://adnonaisoft.com' })
  @IsOptional() @IsString() @MaxLength(2048)
  websiteUrl?: string;
}

/** Body of activate and logout: empty with a connection token, or the connection id with a manager credential. */
export class ConnectionRefDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only without a connection token (the admin credential then)' })
  @IsOptional() @IsUUID()
  connectionId?: string;
}

export class ConnectionStatusQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only without a connection token (the admin credential then)' })
  @IsOptional() @IsUUID()
  connectionId?: string;
}

export class ConnectionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'adnonaisoft' }) customerId: string;
  @ApiProperty({ example: 'Adnonai Soft' }) customerName: string;
  @ApiProperty({ nullable: true, type: String, example: 'https://adnonaisoft.com' }) websiteUrl: string | null;
  @ApiProperty({ enum: CONNECTION_STATUSES }) status: ConnectionStatus;
  @ApiProperty({ nullable: true, type: String, example: '+919876543210', description: 'The linked number, when connected' }) mobileNumber: string | null;
  @ApiProperty({ example: 'qr_1782473171252_bb1a0195', description: 'The Switchboard session behind the connection (native API)' }) sessionId: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) connectedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ConnectionAuthDto {
  @ApiProperty({ description: 'JWT identifying the connection (Authorization: Bearer). Shown once; store it.' }) connectionToken: string;
  @ApiProperty({ nullable: true, type: String, example: 'data:image/png;base64,iVBORw0KGgo…', description: 'Null when no QR came in time: GET …/connections/status answers it' })
  qrCodeDataUrl: string | null;
}

export class RequestConnectionDataDto {
  @ApiProperty({ type: ConnectionDto }) connection: ConnectionDto;
  @ApiProperty({ type: ConnectionAuthDto }) auth: ConnectionAuthDto;
  @ApiPropertyOptional({ description: 'Present when no QR is available yet: how to get it' }) hint?: string;
}

export class RequestConnectionResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: RequestConnectionDataDto }) data: RequestConnectionDataDto;
}

export class ConnectionStateDataDto {
  @ApiProperty({ type: ConnectionDto }) connection: ConnectionDto;
  @ApiProperty({ nullable: true, type: String, description: 'The QR to scan while pending_qr, else null' }) qrCodeDataUrl: string | null;
}

export class ConnectionStateResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: ConnectionStateDataDto }) data: ConnectionStateDataDto;
}

export class ConnectionStatusDataDto {
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiProperty({ example: 'adnonaisoft' }) customerId: string;
  @ApiProperty({ enum: CONNECTION_STATUSES, description: 'The connection status (pending_qr too)' }) status: ConnectionStatus;
  @ApiProperty({ enum: SOCKET_STATUSES }) socketStatus: SocketStatus;
  @ApiProperty({ description: 'Whether the WhatsApp socket is open now' }) isReachable: boolean;
  @ApiProperty({ nullable: true, type: String, example: '+919876543210' }) mobileNumber: string | null;
  @ApiProperty({ format: 'date-time' }) checkedAt: string;
  @ApiProperty({ nullable: true, type: String, description: 'The QR to scan while pending_qr, else null' }) qrCodeDataUrl: string | null;
}

export class ConnectionStatusResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: ConnectionStatusDataDto }) data: ConnectionStatusDataDto;
}

export class ConnectionListDataDto {
  @ApiProperty({ type: [ConnectionDto] }) connections: ConnectionDto[];
  @ApiProperty({ example: 1 }) total: number;
}

export class ConnectionListResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: ConnectionListDataDto }) data: ConnectionListDataDto;
}

export class OverviewDataDto {
  @ApiProperty({ example: 3 }) totalConnections: number;
  @ApiProperty({ example: { pending_qr: 1, connected: 1, stale: 1, disconnected: 0 } }) byStatus: Record<ConnectionStatus, number>;
  @ApiProperty({ example: 1, description: 'Connections whose socket is open now' }) reachable: number;
  @ApiProperty({ description: 'Message figures of the connections’ sessions (the native dashboard’s)', type: Object }) messages: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) checkedAt: string;
}

export class OverviewResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: OverviewDataDto }) data: OverviewDataDto;
}
