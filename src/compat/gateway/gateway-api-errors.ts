import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { GatewayErrorDto } from './dto/gateway.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED, RECIPIENT_INVALID, MEDIA_TYPE_MISMATCH, MEDIA_INVALID)',
  401: 'Missing or wrong X-API-Key (UNAUTHENTICATED)',
  403: 'Not allowed (FORBIDDEN; SESSION_NOT_LINKED when the session was never linked)',
  404: 'Unknown session name or message id (SESSION_NOT_FOUND, MESSAGE_NOT_FOUND)',
  409: 'Conflicts with the current state (SESSION_NAME_TAKEN, MESSAGE_NOT_RESENDABLE, SESSION_BUSY)',
  413: 'File too large (MEDIA_TOO_LARGE, PAYLOAD_TOO_LARGE)',
};

const EXAMPLES: Record<number, { error: string; code: string }> = {
  400: { error: 'phone must be a number with country code: 7–15 digits', code: 'RECIPIENT_INVALID' },
  401: { error: 'A valid credential is required: Authorization: Bearer <token>, X-API-Key or apikey header', code: 'UNAUTHENTICATED' },
  403: { error: 'The default session cannot be deleted', code: 'FORBIDDEN' },
  404: { error: "Session 'support' was not found", code: 'SESSION_NOT_FOUND' },
  409: { error: 'A session named "support" already exists', code: 'SESSION_NAME_TAKEN' },
  413: { error: 'The image is larger than 10 MB', code: 'MEDIA_TOO_LARGE' },
};

/** Documents the WA Gateway error body `{success:false, error, code}` for the given statuses. */
export function GatewayErrorResponses(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        type: GatewayErrorDto,
        description: DESCRIPTIONS[status] ?? 'Error',
        schema: { allOf: [{ $ref: '#/components/schemas/GatewayErrorDto' }], example: { success: false, ...EXAMPLES[status] } },
      }),
    ),
  );
}
