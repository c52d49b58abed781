/**
 * The one error type of relaywatch. Every failure that reaches a user carries an HTTP status
 * (used by the error handler) and a stable code (used by the CLI's exit status and by JSON clients).
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(message: string, details?: Record<string, unknown>): AppError {
    return new AppError(400, 'bad_request', message, details);
  }
  static forbidden(message = 'You are not allowed to do this.'): AppError {
    return new AppError(403, 'forbidden', message);
  }
  static notFound(message = 'Not found.'): AppError {
    return new AppError(404, 'not_found', message);
  }
  static conflict(message: string): AppError {
    return new AppError(409, 'conflict', message);
  }
  static unavailable(message: string, details?: Record<string, unknown>): AppError {
    return new AppError(503, 'unavailable', message, details);
  }
  static internal(message: string, details?: Record<string, unknown>): AppError {
    return new AppError(500, 'internal', message, details);
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
