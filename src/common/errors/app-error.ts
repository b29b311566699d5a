import { ErrorCode } from './error-codes';

/**
 * The one error type services and the engine layer throw. It carries a stable `code`;
 * each API surface's exception filter turns the code into its own wire format.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export class SessionNotFoundError extends AppError {
  constructor(ref: string) {
    super(ErrorCode.SESSION_NOT_FOUND, `Session '${ref}' was not found`, { sessionId: ref });
  }
}

export class SessionNotReadyError extends AppError {
  constructor(sessionId: string, status: string) {
    super(ErrorCode.SESSION_NOT_READY, `Session '${sessionId}' is not ready (status ${status})`, {
      sessionId,
      status,
    });
  }
}

export class SessionBusyError extends AppError {
  constructor(sessionId: string) {
    super(ErrorCode.SESSION_BUSY, `Session '${sessionId}' is busy with another lifecycle operation`, {
      sessionId,
    });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'This credential may not perform this action') {
    super(ErrorCode.FORBIDDEN, message);
  }
}
