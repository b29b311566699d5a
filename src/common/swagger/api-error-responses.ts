import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

class ErrorBodyDto {
  @ApiProperty({ example: 'VALIDATION_FAILED' }) code: string;
  @ApiProperty({ example: 'Validation failed: to: to must be a string' }) message: string;
  @ApiPropertyOptional({ example: { fields: [{ field: 'to', messages: ['to must be a string'] }] } }) details?: unknown;
}

export class ErrorEnvelopeDto {
  @ApiProperty({ example: false }) success: boolean;
  @ApiProperty({ type: ErrorBodyDto }) error: ErrorBodyDto;
  @ApiProperty({ example: '6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a' }) requestId: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED, MALFORMED_JSON)',
  401: 'Missing or invalid credential (UNAUTHENTICATED)',
  403: 'The credential may not do this (FORBIDDEN, ADMIN_REQUIRED)',
  404: 'Not found (SESSION_NOT_FOUND, TOKEN_NOT_FOUND)',
  409: 'Conflicts with the current state (SESSION_ALREADY_LINKED, SESSION_BUSY, QR_NOT_AVAILABLE, …)',
  413: 'Body too large (PAYLOAD_TOO_LARGE)',
  429: 'Too many failed attempts (TOO_MANY_ATTEMPTS); see Retry-After',
  501: 'Not implemented yet (NOT_IMPLEMENTED)',
  503: 'A dependency is unavailable',
};

/** Documents the native error envelope for the given statuses. */
export function ApiErrorResponses(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorEnvelopeDto })),
  );
}
