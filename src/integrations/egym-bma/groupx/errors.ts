import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../../../errors.js';

/**
 * Errors in the shape of EGYM's canonical GroupX contract (its "Errors" section): `{message, cause}`
 * plus `errors` (400: parameter -> reason), `accessLevel` (401), `parameter` (404 entityNotFound)
 * or `reason` (422, the operation's own causes). Only this API answers them; the rest of clubcore
 * keeps problem+json.
 */
export class GroupxError extends Error {
  constructor(
    readonly status: number,
    readonly body: { message: string; cause: string; [extra: string]: unknown },
  ) {
    super(body.message);
    this.name = 'GroupxError';
  }

  static badRequest(errors: Record<string, string>) {
    return new GroupxError(400, { message: 'Bad Request', cause: 'badRequest', errors });
  }
  static unauthorized(message: string, accessLevel: 'client' | 'location') {
    return new GroupxError(401, { message, cause: 'unauthorizedAccess', accessLevel });
  }
  static entityNotFound(message: string, parameter: string) {
    return new GroupxError(404, { message, cause: 'entityNotFound', parameter });
  }
  static notSupported(message = 'Requested endpoint is not supported') {
    return new GroupxError(404, { message, cause: 'resourceNotFound' });
  }
  /** A refusal with one of the operation's own causes and reasons (see refusal.ts). */
  static failed(cause: string, reason: string, message: string) {
    return new GroupxError(422, { message, cause, reason });
  }
}

/** Any other error as the contract's general causes: what clubcore's services throw, and express's own. */
function asGroupx(err: unknown): GroupxError | null {
  if (err instanceof GroupxError) return err;
  if (err instanceof AppError) {
    if (err.status === 400) return GroupxError.badRequest(Object.fromEntries((err.extra.errors ?? [{ path: 'request', message: err.detail }]).map((e) => [e.path, e.message])));
    if (err.status === 429) return new GroupxError(429, { message: err.detail, cause: 'rateLimitsExceeded' });
    if (err.status === 503) return new GroupxError(503, { message: err.detail, cause: 'systemUnavailable' });
    return null;
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (err instanceof URIError && status === 400) return GroupxError.badRequest({ path: 'wrongFormat' });
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) {
    return GroupxError.badRequest({ request: (err as Error).message });
  }
  return null;
}

export const groupxErrorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const known = asGroupx(err);
  if (known) {
    res.status(known.status).json(known.body);
    return;
  }
  req.log?.error({ err, reqId: req.id }, 'unhandled error in the EGYM GroupX API');
  res.status(500).json({ message: 'Internal Server Error; the request id is in the X-Request-Id header', cause: 'internalUnexpectedError' });
};

/** 405 for a method the contract does not declare on one of its paths. */
export const methodNotAllowed: RequestHandler = (req, res) => {
  res.status(405).json({ message: `${req.method} is not allowed here`, cause: 'methodNotAllowed' });
};

/** 404 for any other path under the base path. */
export const resourceNotFound: RequestHandler = (_req, res) => {
  res.status(404).json(GroupxError.notSupported().body);
};
