import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../errors.js';

const PROBLEM = 'application/problem+json';

function send(res: Parameters<RequestHandler>[1], err: AppError) {
  if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
  res
    .status(err.status)
    .type(PROBLEM)
    .json({
      type: err.extra.code ? `urn:clubcore:problem:${err.extra.code}` : 'about:blank',
      title: err.title,
      status: err.status,
      detail: err.detail,
      ...(err.extra.code ? { code: err.extra.code } : {}),
      ...(err.extra.errors ? { errors: err.extra.errors } : {}),
    });
}

export const notFoundHandler: RequestHandler = (req, res) => {
  send(res, AppError.notFound(`No route for ${req.method} ${req.path}`));
};

/** The one error handler: AppError as given, body-parser errors as 400/413, anything else a bare 500. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof AppError) return send(res, err);
  const status = (err as { status?: number; type?: string }).status;
  if (status === 400 && (err as { type?: string }).type === 'entity.parse.failed') {
    return send(res, AppError.badRequest('The request body is not valid JSON'));
  }
  if (status === 413) {
    return send(res, new AppError(413, 'Payload Too Large', 'The request body is larger than 1 MB'));
  }
  req.log?.error({ err }, 'unhandled error');
  send(res, new AppError(500, 'Internal Server Error', 'Something went wrong on our side; the request id is in the X-Request-Id header'));
};
