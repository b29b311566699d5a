import { HttpException } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { ERROR_HTTP_STATUS, ErrorCode } from '../common/errors/error-codes';
import { dataExceptionOf } from '../common/errors/database-error';
import { CloudApiError, GraphObjectNotFoundError, GraphRootRequestError, GraphUnknownFieldError } from './cloud-api.errors';

/**
 * Meta's error codes the facade answers with: HTTP status and title, as in Meta's "Error
 * codes" page for the WhatsApp Cloud API. `message` on the wire is `(#<code>) <title>`.
 */
export const META_ERRORS: Readonly<Record<number, { http: number; title: string }>> = {
  3: { http: 500, title: 'Application does not have the capability to make this API call.' },
  10: { http: 403, title: 'Application does not have permission for this action' },
  100: { http: 400, title: 'Invalid parameter' },
  130429: { http: 400, title: 'Rate limit hit' },
  131000: { http: 500, title: 'Something went wrong' },
  131005: { http: 403, title: 'Access denied' },
  131008: { http: 400, title: 'Required parameter is missing' },
  131009: { http: 400, title: 'Parameter value is not valid' },
  131016: { http: 503, title: 'Service unavailable' },
  131021: { http: 400, title: 'Recipient cannot be sender' },
  131026: { http: 400, title: 'Message Undeliverable' },
  131047: { http: 400, title: 'Re-engagement message' },
  131051: { http: 400, title: 'Unsupported message type' },
  131052: { http: 400, title: 'Media download error' },
  131053: { http: 400, title: 'Media upload error' },
  132000: { http: 400, title: 'Number of parameters does not match the expected number of params' },
  132001: { http: 404, title: 'Template name does not exist in the translation' },
  132005: { http: 400, title: 'Translated text too long' },
  132012: { http: 400, title: 'Parameter format does not match format in the created template' },
  132015: { http: 400, title: 'Template is Paused' },
  132016: { http: 400, title: 'Template is Disabled' },
  133010: { http: 400, title: 'Account not registered' },
  135000: { http: 400, title: 'Generic user error' },
};

/**
 * Native error code → Meta error code: the one place the facade decides how a failure of the
 * shared send path (sessions, media, queue) reads to a Cloud API client. Codes not listed
 * fall back by HTTP status (see `fallbackCode`). One test per row pins it.
 */
export const NATIVE_TO_META: Readonly<Partial<Record<ErrorCode, number>>> = {
  [ErrorCode.VALIDATION_FAILED]: 100,
  [ErrorCode.MALFORMED_JSON]: 100,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 100,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 100,
  [ErrorCode.ROUTE_NOT_FOUND]: 2500,
  [ErrorCode.UNAUTHENTICATED]: 190,
  [ErrorCode.INVALID_CREDENTIALS]: 190,
  [ErrorCode.FORBIDDEN]: 10,
  [ErrorCode.ADMIN_REQUIRED]: 10,
  [ErrorCode.TOKEN_NOT_FOUND]: 100,
  [ErrorCode.SESSION_NOT_FOUND]: 100,
  [ErrorCode.SESSION_NOT_READY]: 131016,
  [ErrorCode.SESSION_BUSY]: 131016,
  [ErrorCode.SESSION_INACTIVE]: 131016,
  [ErrorCode.SESSION_ALREADY_LINKED]: 100,
  [ErrorCode.QR_NOT_AVAILABLE]: 100,
  [ErrorCode.ENGINE_UNSUPPORTED]: 3,
  [ErrorCode.NOT_IMPLEMENTED]: 3,
  [ErrorCode.SESSION_NOT_LINKED]: 133010,
  [ErrorCode.RECIPIENT_INVALID]: 131009,
  [ErrorCode.MESSAGE_NOT_FOUND]: 100,
  [ErrorCode.MESSAGE_NOT_CANCELABLE]: 100,
  [ErrorCode.MESSAGE_NOT_RESENDABLE]: 100,
  [ErrorCode.IDEMPOTENCY_CONFLICT]: 131000,
  [ErrorCode.MEDIA_URL_FORBIDDEN]: 131009,
  [ErrorCode.MEDIA_FETCH_FAILED]: 131053,
  [ErrorCode.MEDIA_TOO_LARGE]: 131053,
  [ErrorCode.MEDIA_TOO_MANY_PIXELS]: 131053,
  [ErrorCode.MEDIA_TYPE_MISMATCH]: 131053,
  [ErrorCode.MEDIA_INVALID]: 131053,
  [ErrorCode.ENGINE_ERROR]: 131000,
  [ErrorCode.DATABASE_UNAVAILABLE]: 131016,
  [ErrorCode.INTERNAL_ERROR]: 131000,
  [ErrorCode.AUDIO_INVALID]: 131053,
  [ErrorCode.AUDIO_CONVERSION_FAILED]: 131053,
  [ErrorCode.FFMPEG_UNAVAILABLE]: 131016,
  [ErrorCode.TTS_TEXT_TOO_LONG]: 131009,
  [ErrorCode.TTS_INVALID_INPUT]: 131009,
  [ErrorCode.TTS_MISCONFIGURED]: 3,
  [ErrorCode.TTS_RATE_LIMITED]: 130429,
  [ErrorCode.TTS_TIMEOUT]: 131016,
  [ErrorCode.TTS_PROVIDER_ERROR]: 131000,
  [ErrorCode.TTS_AUDIO_NOT_FOUND]: 100,
  [ErrorCode.TEMPLATE_NOT_FOUND]: 132001,
  [ErrorCode.TEMPLATE_EXISTS]: 100,
};

/** Meta code for an HTTP status that has no better mapping. */
export function fallbackCode(status: number): number {
  if (status === 401) return 190;
  if (status === 403) return 10;
  if (status === 429) return 130429;
  if (status === 503) return 131016;
  if (status >= 500) return 131000;
  return 100;
}

export interface MetaErrorBody {
  error: {
    message: string;
    type: 'OAuthException' | 'GraphMethodException';
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    fbtrace_id: string;
  };
}

export interface MetaErrorContext {
  /** HTTP method, for Graph's "Unsupported get request." wording. */
  method: string;
  /** Whether the request carried any credential (104 vs 190). */
  hasCredential: boolean;
  /** Path after the version, for "Unknown path components". */
  path: string;
  requestId: string;
}

export interface MetaErrorResponse {
  status: number;
  body: MetaErrorBody;
  /** Graph's `WWW-Authenticate: OAuth "Facebook Platform" "<error>" "<message>"`. */
  wwwAuthenticate: string;
}

const GRAPH_DOCS = 'Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api';

/** Any error → Meta's status and envelope. Unknown errors never leak their message. */
export function toMetaError(exception: unknown, ctx: MetaErrorContext): MetaErrorResponse {
  const { status, error } = describe(dataExceptionOf(exception) ?? exception, ctx);
  const body: MetaErrorBody = { error: { ...error, fbtrace_id: ctx.requestId } };
  const kind = error.code === 190 ? 'invalid_token' : 'invalid_request';
  const wwwAuthenticate = `OAuth "Facebook Platform" "${kind}" "${headerSafe(error.message)}"`;
  return { status, body, wwwAuthenticate };
}

/**
 * A message as a quoted-string of a header: printable ASCII only (Node refuses anything else
 * in a header, and messages can quote the request's path or ids), no quotes or backslashes,
 * at most 200 characters. The body keeps the message as it is.
 */
function headerSafe(message: string): string {
  const ascii = message.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, ' ');
  return ascii.length > 200 ? `${ascii.slice(0, 197)}...` : ascii;
}

type ErrorFields = Omit<MetaErrorBody['error'], 'fbtrace_id'>;

function describe(exception: unknown, ctx: MetaErrorContext): { status: number; error: ErrorFields } {
  if (exception instanceof CloudApiError) {
    return whatsapp(exception.metaCode, exception.message, exception.subcode);
  }
  if (exception instanceof GraphObjectNotFoundError) {
    const found = objectNotFound(exception.objectId, ctx.method);
    return { ...found, status: exception.httpStatus };
  }
  if (exception instanceof GraphRootRequestError) {
    return { status: 400, error: { message: `Unsupported ${ctx.method.toLowerCase()} request. ${GRAPH_DOCS}`, type: 'GraphMethodException', code: 100, error_subcode: 33 } };
  }
  if (exception instanceof GraphUnknownFieldError) {
    return { status: 400, error: { message: `(#100) ${exception.message}`, type: 'OAuthException', code: 100 } };
  }
  if (exception instanceof AppError) {
    const code = NATIVE_TO_META[exception.code] ?? fallbackCode(ERROR_HTTP_STATUS[exception.code] ?? 500);
    return fromCode(code, exception.message, exception, ctx);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    // Multer's file-size limit is the only 413 raised inside a route.
    if (status === 404) {
      // A node or edge that exists, asked with a method it does not support, is Graph's 100/33.
      const node = unsupportedMethodOn(ctx.path);
      if (node !== null) return objectNotFound(node, ctx.method);
    }
    const code = status === 413 ? 131053 : status === 404 ? 2500 : fallbackCode(status);
    return fromCode(code, exception.message, exception, ctx);
  }
  return whatsapp(131000, 'An unexpected error occurred. Please retry your request later.');
}

function fromCode(code: number, details: string, exception: AppError | HttpException, ctx: MetaErrorContext): { status: number; error: ErrorFields } {
  switch (code) {
    case 190:
      if (!ctx.hasCredential) {
        return { status: 400, error: { message: 'An access token is required to request this resource.', type: 'OAuthException', code: 104 } };
      }
      return { status: 401, error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 } };
    case 10:
      return { status: 403, error: { message: '(#10) Application does not have permission for this action', type: 'OAuthException', code: 10 } };
    case 2500:
      return { status: 400, error: { message: `Unknown path components: ${ctx.path}`, type: 'OAuthException', code: 2500 } };
    default:
      if (exception instanceof AppError && (exception.code === ErrorCode.SESSION_NOT_FOUND || exception.code === ErrorCode.TOKEN_NOT_FOUND)) {
        const ref = (exception.details as { sessionId?: string } | undefined)?.sessionId ?? '';
        return objectNotFound(ref, ctx.method);
      }
      return whatsapp(code, code >= 500 && !(exception instanceof AppError) ? 'An unexpected error occurred.' : details);
  }
}

function whatsapp(code: number, details: string, subcode?: number): { status: number; error: ErrorFields } {
  const spec = META_ERRORS[code] ?? META_ERRORS[100];
  return {
    status: spec.http,
    error: {
      message: `(#${code}) ${spec.title}`,
      type: 'OAuthException',
      code,
      ...(subcode !== undefined ? { error_subcode: subcode } : {}),
      error_data: { messaging_product: 'whatsapp', details },
    },
  };
}

function objectNotFound(id: string, method: string): { status: number; error: ErrorFields } {
  const verb = method.toLowerCase();
  return {
    status: 400,
    error: {
      message: `Unsupported ${verb} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. ${GRAPH_DOCS}`,
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
    },
  };
}

/** The edges the facade serves under a node (`/{id}/<edge>`); any other edge is Graph's 2500. */
const KNOWN_EDGES = new Set(['messages', 'media', 'phone_numbers', 'subscribed_apps', 'register', 'deregister', 'whatsapp_business_profile', 'message_templates']);

/**
 * For a path the facade has no route for: the node id when the path is a node (`/{id}`) or a
 * known edge of one (`/{id}/messages`), i.e. the method is what is unsupported; null for an
 * unknown path.
 */
export function unsupportedMethodOn(path: string): string | null {
  const parts = path.replace(/^\/cloud-api(?=\/|$)/, '').split('/').filter(Boolean);
  if (parts.length === 1) return safeDecode(parts[0]);
  if (parts.length === 2 && KNOWN_EDGES.has(parts[1])) return safeDecode(parts[0]);
  return null;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
