import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiResponse } from '@nestjs/swagger';

/** The error body of every error under /compat/connections. */
export class ConnectionsErrorDto {
  @ApiProperty({ example: false }) success: false;
  @ApiProperty({ example: 'The connection is waiting for its QR to be scanned (pending_qr); scan it, then send' }) error: string;
  @ApiProperty({ example: 'CONNECTION_PENDING_QR', description: 'Stable, machine-readable code' }) code: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad input (VALIDATION_FAILED, RECIPIENT_INVALID, MALFORMED_JSON, MEDIA_*)',
  401: 'No valid credential (UNAUTHENTICATED)',
  403: 'FORBIDDEN (wrong credential for this route or connection), CONNECTION_PENDING_QR, CONNECTION_STALE',
  404: 'CONNECTION_NOT_FOUND, MESSAGE_NOT_FOUND',
  409: 'SESSION_BUSY: another lifecycle change of the connection is under way',
  413: 'The file is too large (PAYLOAD_TOO_LARGE, MEDIA_TOO_LARGE)',
  422: 'MEDIA_FETCH_FAILED: fileUrl could not be fetched',
};

/** Bearer auth plus the listed error statuses, in this API's error shape. */
export function ConnectionsApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBearerAuth(),
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ConnectionsErrorDto })),
  );
}
