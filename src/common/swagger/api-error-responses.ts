import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { ERROR_HTTP_STATUS, ErrorCode } from '../errors/error-codes';

class ErrorBodyDto {
  @ApiProperty({ enum: ErrorCode, example: ErrorCode.SESSION_NOT_FOUND, description: 'Stable, machine-readable code' }) code: string;
  @ApiProperty({ example: "Session 'qr_1782473171252_bb1a0195' was not found" }) message: string;
  @ApiPropertyOptional({ example: { sessionId: 'qr_1782473171252_bb1a0195' }, description: 'Depends on the code, e.g. the failing fields' }) details?: unknown;
}

export class ErrorEnvelopeDto {
  @ApiProperty({ example: false }) success: boolean;
  @ApiProperty({ type: ErrorBodyDto }) error: ErrorBodyDto;
  @ApiProperty({ example: '6f1c1d4e-1b7e-4c63-9a51-8a8a0e1e2f3a', description: 'Also in the X-Request-Id header and the request log line' }) requestId: string;
}

const REQUEST_ID = 'a4cd72cf-69a0-4bcc-8a57-42f22187ca8d';
const SESSION_ID = 'qr_1782473171252_bb1a0195';
const MESSAGE_ID = '85bdd75f-b894-48f9-a4c6-dbe7f975de2a';
const ID = '7da73fd5-012a-4b05-96d3-dcf57b1e1ac1';

/** What the server really answers for each code (messages and details as the code writes them). */
const EXAMPLES: Partial<Record<ErrorCode, { message: string; details?: unknown }>> = {
  [ErrorCode.VALIDATION_FAILED]: {
    message: 'Validation failed: text: a text message needs text',
    details: { fields: [{ field: 'text', messages: ['a text message needs text'] }] },
  },
  [ErrorCode.MALFORMED_JSON]: { message: 'Request body is not valid JSON' },
  [ErrorCode.RECIPIENT_INVALID]: {
    message: 'to is neither a phone number with country code nor a WhatsApp JID',
    details: { fields: [{ field: 'to', messages: ['to must be a phone number (e.g. 919846303025) or a JID (…@s.whatsapp.net, …@g.us, …@lid)'] }] },
  },
  [ErrorCode.MEDIA_URL_FORBIDDEN]: { message: 'The media URL points to a private, loopback or link-local address' },
  [ErrorCode.UNAUTHENTICATED]: { message: 'A valid credential is required: Authorization: Bearer <token>, X-API-Key or apikey header' },
  [ErrorCode.INVALID_CREDENTIALS]: { message: 'Wrong password' },
  [ErrorCode.FORBIDDEN]: { message: `This token is bound to another session and may not act on '${SESSION_ID}'` },
  [ErrorCode.ADMIN_REQUIRED]: { message: 'This route needs an admin credential' },
  [ErrorCode.SESSION_NOT_LINKED]: {
    message: `Session '${SESSION_ID}' is not linked to a WhatsApp account (status INACTIVE)`,
    details: { sessionId: SESSION_ID, status: 'INACTIVE' },
  },
  [ErrorCode.SESSION_NOT_FOUND]: { message: `Session '${SESSION_ID}' was not found`, details: { sessionId: SESSION_ID } },
  [ErrorCode.MESSAGE_NOT_FOUND]: { message: `Message '${MESSAGE_ID}' was not found` },

  [ErrorCode.TOKEN_NOT_FOUND]: { message: `Token '${ID}' was not found` },
  [ErrorCode.WEBHOOK_NOT_FOUND]: { message: `Webhook '${ID}' was not found`, details: { webhookId: ID } },
  [ErrorCode.WEBHOOK_INACTIVE]: { message: 'The webhook is paused (active: false); activate it to send a test', details: { webhookId: ID } },
  [ErrorCode.TEMPLATE_NOT_FOUND]: { message: `Template '${ID}' was not found` },
  [ErrorCode.GROUP_NOT_FOUND]: { message: 'Not a member of 120363041234567890@g.us' },
  [ErrorCode.SESSION_ALREADY_LINKED]: {
    message: 'The session is already linked; there is no QR to scan',
    details: { sessionId: SESSION_ID, status: 'READY' },
  },
  [ErrorCode.QR_NOT_AVAILABLE]: {
    message: 'No QR is available yet; retry in a few seconds',
    details: { sessionId: SESSION_ID, status: 'CONNECTING' },
  },
  [ErrorCode.SESSION_BUSY]: { message: `Session '${SESSION_ID}' is busy with another lifecycle operation`, details: { sessionId: SESSION_ID } },
  [ErrorCode.MESSAGE_NOT_CANCELABLE]: { message: 'Only queued messages can be canceled; this one is READ', details: { status: 'READ' } },
  [ErrorCode.SESSION_NOT_READY]: {
    message: `Session '${SESSION_ID}' is not ready (status CONNECTING)`,
    details: { sessionId: SESSION_ID, status: 'CONNECTING' },
  },
  [ErrorCode.MESSAGE_NOT_RESENDABLE]: { message: 'A READ message cannot be resent', details: { status: 'READ' } },
  [ErrorCode.IDEMPOTENCY_CONFLICT]: { message: 'A conflicting message was accepted concurrently' },
  [ErrorCode.DELIVERY_NOT_FOUND]: { message: `Delivery '${ID}' was not found`, details: { deliveryId: ID } },
  [ErrorCode.TEMPLATE_EXISTS]: { message: "A template 'order_update' in en_US already exists" },
  [ErrorCode.WEBHOOK_URL_FORBIDDEN]: {
    message: 'url points to a link-local (cloud metadata) address (see WEBHOOK_URL_ALLOWLIST)',
    details: { fields: [{ field: 'url', messages: ['url points to a link-local (cloud metadata) address (see WEBHOOK_URL_ALLOWLIST)'] }] },
  },
  [ErrorCode.PASSWORD_NOT_SET]: { message: 'No admin password is configured; set ADMIN_PASSWORD or call change-password' },
  [ErrorCode.PAYLOAD_TOO_LARGE]: { message: 'Request body is too large' },
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: { message: 'Unsupported body encoding or charset' },
  [ErrorCode.MEDIA_FETCH_FAILED]: { message: 'Could not fetch the media URL: the server answered 404' },
  [ErrorCode.TTS_TEXT_TOO_LONG]: { message: 'text is 9120 characters; the limit is 8000 (TTS_MAX_TEXT_CHARS)', details: { field: 'text' } },
  [ErrorCode.TOO_MANY_ATTEMPTS]: { message: 'Too many failed password attempts from this address; try again in 840 s', details: { retryAfterSeconds: 840 } },
  [ErrorCode.FFMPEG_UNAVAILABLE]: { message: 'ffmpeg could not be started (FFMPEG_PATH=ffmpeg); install ffmpeg with libopus' },
};

/** The code a bare status stands for, and what the status means. */
const STATUSES: Record<number, { description: string; codes: ErrorCode[] }> = {
  400: { description: 'Invalid input', codes: [ErrorCode.VALIDATION_FAILED] },
  401: { description: 'Missing or invalid credential', codes: [ErrorCode.UNAUTHENTICATED] },
  403: { description: 'The credential may not do this', codes: [ErrorCode.FORBIDDEN] },
  404: { description: 'Not found', codes: [ErrorCode.SESSION_NOT_FOUND] },
  409: { description: 'Conflicts with the current state', codes: [ErrorCode.SESSION_BUSY, ErrorCode.SESSION_NOT_READY] },
  413: { description: 'Body too large', codes: [ErrorCode.PAYLOAD_TOO_LARGE] },
  415: { description: 'Unsupported body encoding', codes: [ErrorCode.UNSUPPORTED_MEDIA_TYPE] },
  422: { description: 'Well-formed but cannot be processed', codes: [ErrorCode.MEDIA_FETCH_FAILED] },
  429: { description: 'Too many failed attempts; see Retry-After', codes: [ErrorCode.TOO_MANY_ATTEMPTS] },
  503: { description: 'A dependency is unavailable', codes: [ErrorCode.FFMPEG_UNAVAILABLE] },
};

function envelope(code: ErrorCode) {
  const example = EXAMPLES[code] ?? { message: code };
  return { success: false, error: { code, ...example }, requestId: REQUEST_ID };
}

/**
 * Documents the native error envelope. Each argument is an HTTP status (documented with the
 * codes it usually means) or an error code (documented under its own status); codes that share a
 * status become named examples of that one response, each with the message the server sends.
 *
 *   @ApiErrorResponses(401, 'FORBIDDEN', 'MESSAGE_NOT_FOUND', 'MESSAGE_NOT_CANCELABLE')
 */
export function ApiErrorResponses(...items: Array<number | `${ErrorCode}`>) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const item of items) {
    const status = typeof item === 'number' ? item : ERROR_HTTP_STATUS[item as ErrorCode];
    const codes = typeof item === 'number' ? (STATUSES[item]?.codes ?? []) : [item as ErrorCode];
    const known = byStatus.get(status) ?? [];
    byStatus.set(status, [...known, ...codes.filter((c) => !known.includes(c))]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, codes]) =>
      ApiResponse({
        status,
        type: ErrorEnvelopeDto,
        description: `${STATUSES[status]?.description ?? 'Error'} (${codes.join(', ')})`,
        examples: Object.fromEntries(codes.map((code) => [code, { summary: code, value: envelope(code) }])),
      }),
    ),
  );
}
