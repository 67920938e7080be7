/** A field-level problem, as listed in a 400 response. */
export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * The one error type of clubcore. Services throw it; the HTTP layer turns it into
 * application/problem+json. Anything else that escapes becomes a 500 without details.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: { code?: string; errors?: FieldProblem[] } = {},
  ) {
    super(detail);
    this.name = 'AppError';
  }

  /** Sent as Retry-After with 429 and 503 answers. */
  retryAfterSeconds?: number;

  static badRequest(detail: string, errors?: FieldProblem[]) {
    return new AppError(400, 'Bad Request', detail, { errors });
  }
  static unauthorized(detail: string, code?: string) {
    return new AppError(401, 'Unauthorized', detail, { code });
  }
  static forbidden(detail: string) {
    return new AppError(403, 'Forbidden', detail);
  }
  static notFound(detail: string) {
    return new AppError(404, 'Not Found', detail);
  }
  static conflict(detail: string, code?: string) {
    return new AppError(409, 'Conflict', detail, { code });
  }
  /** A business rule refused the request; `code` is machine-readable. */
  static rule(code: string, detail: string) {
    return new AppError(422, 'Unprocessable Entity', detail, { code });
  }
  static tooManyRequests(detail: string) {
    return new AppError(429, 'Too Many Requests', detail);
  }
  static unavailable(detail: string) {
    return new AppError(503, 'Service Unavailable', detail);
  }
}
