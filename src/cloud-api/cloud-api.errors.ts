import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';

/**
 * An error the facade raises in Meta's own terms: a Cloud API error code (131008, 131009,
 * 132001, …) and the `error_data.details` text. The Cloud API filter renders it with the
 * title and HTTP status pinned in `cloud-api-error.map.ts`; `code` keeps a native fallback.
 */
export class CloudApiError extends AppError {
  constructor(
    readonly metaCode: number,
    details: string,
    options: { subcode?: number; nativeCode?: ErrorCode; cause?: unknown } = {},
  ) {
    super(options.nativeCode ?? ErrorCode.VALIDATION_FAILED, details, undefined, { cause: options.cause });
    this.name = 'CloudApiError';
    this.subcode = options.subcode;
  }

  readonly subcode?: number;
}

/** Graph's answer for an id that does not exist or that this token may not see. */
export class GraphObjectNotFoundError extends AppError {
  /** `httpStatus` 404: an expired media URL (clients then fetch a fresh one). */
  constructor(
    readonly objectId: string,
    readonly httpStatus = 400,
  ) {
    super(ErrorCode.SESSION_NOT_FOUND, `Object with ID '${objectId}' does not exist`);
    this.name = 'GraphObjectNotFoundError';
  }
}

/** Graph's answer for a `fields` entry the node does not have. */
export class GraphUnknownFieldError extends AppError {
  constructor(
    readonly field: string,
    readonly nodeType: string,
  ) {
    super(ErrorCode.VALIDATION_FAILED, `Tried accessing nonexisting field (${field}) on node type (${nodeType})`);
    this.name = 'GraphUnknownFieldError';
  }
}

export const missingParam = (details: string) => new CloudApiError(131008, details);
export const invalidParam = (details: string) => new CloudApiError(131009, details);
export const graphInvalidParam = (details: string) => new CloudApiError(100, details);

/** Graph's answer to a request on its root (`GET /v13.0/`) with a valid token: 100/33 of GraphMethodException. */
export class GraphRootRequestError extends AppError {
  constructor() {
    super(ErrorCode.VALIDATION_FAILED, 'Unsupported get request.');
    this.name = 'GraphRootRequestError';
  }
}
