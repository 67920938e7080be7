import { STATUS_CODES } from 'node:http';
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

/**
 * What express raises for a bad request: the router's URIError for a path parameter that is not
 * valid percent-encoding, and body-parser's http-errors (a 4xx status with `expose` set).
 */
function clientError(err: unknown): AppError | null {
  const { status, expose, type } = (err ?? {}) as { status?: unknown; expose?: unknown; type?: unknown };
  if (err instanceof URIError && status === 400) return AppError.badRequest('A path parameter is not valid percent-encoded UTF-8');
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return null;
  if (type === 'entity.parse.failed') return AppError.badRequest('The request body is not valid JSON');
  if (status === 413) return new AppError(413, 'Payload Too Large', 'The request body is larger than 1 MB');
  return new AppError(status, STATUS_CODES[status] ?? 'Bad Request', (err as Error).message);
}

/** The one error handler: AppError as given, express's own client errors as their 4xx, anything else a bare 500. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof AppError) return send(res, err);
  const client = clientError(err);
  if (client) return send(res, client);
  req.log?.error({ err, reqId: req.id }, 'unhandled error');
  send(res, new AppError(500, 'Internal Server Error', 'Something went wrong on our side; the request id is in the X-Request-Id header'));
};
